package fileevents

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Endpoints is the management of a project's webhook endpoints (the
// /v1/webhook-endpoints routes): each route takes the use case it calls.
type Endpoints struct {
	Store      EndpointStore
	Deliveries DeliveryStore
	Root       Root
	// CheckURL refuses a URL no delivery may reach (webhooksend.Guard).
	CheckURL func(ctx context.Context, url string) error
	Clock    func() time.Time
}

// NewEndpoint is what a registration asks for.
type NewEndpoint struct {
	URL        string
	EventTypes []string
}

// Registered is an endpoint with its secret, shown once.
type Registered struct {
	*Endpoint
	Secret string
}

// Create registers an endpoint for the project; its secret is derived from
// the root secret's current version and returned once.
func (u *Endpoints) Create(ctx context.Context, orgID, projectID string, in NewEndpoint) (*Registered, error) {
	types, err := eventTypes(in.EventTypes)
	if err != nil {
		return nil, err
	}
	if len(in.URL) > 2048 {
		return nil, files.Errorf(files.KindInvalid, "invalid_url", "url is longer than 2048 characters").WithParam("url")
	}
	if err := u.CheckURL(ctx, in.URL); err != nil {
		return nil, err
	}
	existing, err := u.Store.Endpoints(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if len(existing) >= MaxEndpoints {
		return nil, files.Errorf(files.KindConflict, "too_many_endpoints", "a project has at most %d webhook endpoints: delete one first", MaxEndpoints)
	}
	vs, err := u.Root.Versions(ctx)
	if err != nil {
		return nil, files.Unavailable("the root secret", err)
	}
	now := u.Clock().UTC()
	e := &Endpoint{ID: NewEndpointID(now), ProjectID: projectID, OrganizationID: orgID, URL: in.URL, EventTypes: types, CreatedAt: now,
		Secret: SecretRef{Version: 1, RootTag: vs.Current.Tag()}}
	key, err := e.Secret.key(ctx, u.Root, e.ID)
	if err != nil {
		return nil, err
	}
	if err := u.Store.PutEndpoint(ctx, e); err != nil {
		return nil, err
	}
	return &Registered{Endpoint: e, Secret: SecretString(key)}, nil
}

// eventTypes checks a subscription: at least one type, each known, no repeats.
func eventTypes(in []string) ([]Type, error) {
	bad := func(format string, args ...any) error {
		return files.Errorf(files.KindInvalid, "invalid_event_types", format, args...).WithParam("eventTypes")
	}
	if len(in) == 0 {
		return nil, bad("eventTypes must list at least one of %v", Types)
	}
	var out []Type
	for _, s := range in {
		t := Type(s)
		if !slices.Contains(Types, t) {
			return nil, bad("unknown event type %q: the types are %v", s, Types)
		}
		if slices.Contains(out, t) {
			return nil, bad("event type %q is listed twice", s)
		}
		out = append(out, t)
	}
	return out, nil
}

// List is the project's endpoints, oldest first.
func (u *Endpoints) List(ctx context.Context, projectID string) ([]*Endpoint, error) {
	return u.Store.Endpoints(ctx, projectID)
}

// Delete removes an endpoint: nothing more is delivered to it (deliveries
// still pending end at their next attempt).
func (u *Endpoints) Delete(ctx context.Context, projectID, id string) error {
	if !ValidEndpointID(id) {
		return errEndpointNotFound
	}
	err := u.Store.DeleteEndpoint(ctx, projectID, id)
	if errors.Is(err, files.ErrNotFound) {
		return errEndpointNotFound
	}
	return err
}

var errEndpointNotFound = &files.Error{Kind: files.KindNotFound, Code: "not_found", Message: "webhook endpoint not found"}

// get reads a project's endpoint, 404 for any other.
func (u *Endpoints) get(ctx context.Context, projectID, id string) (*Endpoint, error) {
	if !ValidEndpointID(id) {
		return nil, errEndpointNotFound
	}
	e, err := u.Store.Endpoint(ctx, projectID, id)
	if errors.Is(err, files.ErrNotFound) {
		return nil, errEndpointNotFound
	}
	return e, err
}

// RotateSecret gives the endpoint a new secret (the next version, from the
// root secret's current version) and returns it once; the replaced one
// keeps signing beside it for RotationOverlap, so both signatures are sent.
func (u *Endpoints) RotateSecret(ctx context.Context, projectID, id string) (*Registered, error) {
	e, err := u.get(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	vs, err := u.Root.Versions(ctx)
	if err != nil {
		return nil, files.Unavailable("the root secret", err)
	}
	next := SecretRef{Version: e.Secret.Version + 1, RootTag: vs.Current.Tag()}
	key, err := next.key(ctx, u.Root, e.ID)
	if err != nil {
		return nil, err
	}
	rotated, err := u.Store.RotateSecret(ctx, e, next, u.Clock().Add(RotationOverlap).UTC())
	if errors.Is(err, files.ErrNotFound) {
		return nil, errEndpointNotFound
	}
	if err != nil {
		return nil, err // a concurrent rotation: 409, retry reads the new state
	}
	return &Registered{Endpoint: rotated, Secret: SecretString(key)}, nil
}

// Log is the endpoint's deliveries, newest first.
func (u *Endpoints) Log(ctx context.Context, projectID, id, before string, limit int) ([]*Delivery, error) {
	if _, err := u.get(ctx, projectID, id); err != nil {
		return nil, err
	}
	if before != "" && !ValidEventID(before) {
		return nil, files.Errorf(files.KindInvalid, "invalid_cursor", "before must be an event id (evt_…)").WithParam("before")
	}
	return u.Deliveries.Log(ctx, id, before, limit)
}

// Replay makes a delivery pending again, due now, in a fresh retry
// window: the sender delivers it at its next run, with the same
// webhook-id (a receiver that kept it may ignore it).
func (u *Endpoints) Replay(ctx context.Context, projectID, id, eventID string) (*Delivery, error) {
	if _, err := u.get(ctx, projectID, id); err != nil {
		return nil, err
	}
	notFound := &files.Error{Kind: files.KindNotFound, Code: "not_found", Message: "no delivery of that event to this endpoint"}
	if !ValidEventID(eventID) {
		return nil, notFound
	}
	d, err := u.Deliveries.Requeue(ctx, DeliveryKey{EndpointID: id, EventID: eventID}, u.Clock().UTC())
	if errors.Is(err, files.ErrNotFound) {
		return nil, notFound
	}
	return d, err
}
