package fileevents

import (
	"context"
	"iter"
	"time"
)

// The ports: the DynamoDB adapter implements the stores, shared/webhooksend
// the Poster, shared/eventbus the Bus.

// EndpointStore keeps a project's endpoints.
type EndpointStore interface {
	// PutEndpoint stores a new endpoint (its id is new).
	PutEndpoint(ctx context.Context, e *Endpoint) error
	// Endpoints lists a project's endpoints, oldest first.
	Endpoints(ctx context.Context, projectID string) ([]*Endpoint, error)
	// Endpoint reads one; files.ErrNotFound if the project has none so named.
	Endpoint(ctx context.Context, projectID, id string) (*Endpoint, error)
	// DeleteEndpoint removes one; files.ErrNotFound if it is not there.
	DeleteEndpoint(ctx context.Context, projectID, id string) error
	// RotateSecret replaces e's secret with next, keeping e's as the
	// previous until until, if e's secret is still what e says
	// (files.ErrConditionFailed otherwise).
	RotateSecret(ctx context.Context, e *Endpoint, next SecretRef, until time.Time) (*Endpoint, error)
}

// DeliveryKey addresses a delivery.
type DeliveryKey struct {
	EndpointID string
	EventID    string
}

// DeliveryStore keeps deliveries.
type DeliveryStore interface {
	// Record stores a delivery after its first attempt, unless one is
	// stored for its endpoint and event already (then it does nothing: an
	// earlier run recorded it).
	Record(ctx context.Context, d *Delivery) error
	// Due lists the pending deliveries whose next attempt is at or before
	// before, page by page as the caller ranges; it stops at the first error.
	Due(ctx context.Context, before time.Time) iter.Seq2[DeliveryKey, error]
	// Claim takes a due delivery for one attempt: it pushes its next
	// attempt to lease (so no other sender takes it meanwhile, and it is
	// due again if this one dies) and returns it; files.ErrConditionFailed
	// if it is no longer pending and due by now.
	Claim(ctx context.Context, k DeliveryKey, now, lease time.Time) (*Delivery, error)
	// Finish stores an attempt's outcome for a delivery d claimed (its
	// Status, NextAttempt and Attempts as they are now); files.ErrConditionFailed
	// if the claim lapsed and another sender took it.
	Finish(ctx context.Context, d *Delivery) error
	// Log lists an endpoint's deliveries newest first, at most limit,
	// those with event ids before before ("" = from the newest).
	Log(ctx context.Context, endpointID, before string, limit int) ([]*Delivery, error)
	// Requeue makes a delivery pending again, due at at, in a new window;
	// files.ErrNotFound if the endpoint has no such delivery.
	Requeue(ctx context.Context, k DeliveryKey, at time.Time) (*Delivery, error)
}

// Poster sends one attempt: msg, signed afresh with each key (a new
// webhook-timestamp, the same webhook-id), to url.
type Poster interface {
	Post(ctx context.Context, url string, msg Message, keys [][]byte) Attempt
}

// Bus publishes events to the stack's event bus.
type Bus interface {
	// Publish puts msgs, in order; it returns how many from the start are
	// published (all of them, unless err is set).
	Publish(ctx context.Context, msgs []Message) (int, error)
}
