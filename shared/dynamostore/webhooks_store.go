package dynamostore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/files"
)

// Webhook endpoints: one item per endpoint under its project's own
// partition (not the file records' P#, so the functions that manage
// endpoints are granted no file record):
//
//	endpoint: pk=W#<project> sk=E#<endpointId>
//
// No secret is stored: an endpoint names the version of its secret and
// the root secret's version it derives from (fileevents.SecretRef). A
// project's endpoints are few (fileevents.MaxEndpoints) and written only
// when managed, far below a partition's limits.

// Webhooks implements fileevents.EndpointStore and fileevents.DeliveryStore.
type Webhooks struct{ table dynamo.Table }

var (
	_ fileevents.EndpointStore = (*Webhooks)(nil)
	_ fileevents.DeliveryStore = (*Webhooks)(nil)
)

// NewWebhooks returns the webhooks' store on the named table.
func NewWebhooks(db *dynamo.DB, table string) *Webhooks { return &Webhooks{table: db.Table(table)} }

func endpointPK(projectID string) string { return "W#" + projectID }
func endpointSK(id string) string        { return "E#" + id }

type endpointItem struct {
	PK             string     `dynamo:"pk,hash"`
	SK             string     `dynamo:"sk,range"`
	ID             string     `dynamo:"id"`
	ProjectID      string     `dynamo:"projectId"`
	OrganizationID string     `dynamo:"organizationId,omitempty"`
	URL            string     `dynamo:"url"`
	EventTypes     []string   `dynamo:"eventTypes"`
	CreatedAt      time.Time  `dynamo:"createdAt"`
	SecretVersion  int        `dynamo:"secretVersion"`
	SecretRoot     string     `dynamo:"secretRoot"`
	PrevVersion    int        `dynamo:"prevSecretVersion,omitempty"`
	PrevRoot       string     `dynamo:"prevSecretRoot,omitempty"`
	PrevUntil      *time.Time `dynamo:"prevSecretUntil,omitempty"`
}

func (it *endpointItem) toEndpoint() *fileevents.Endpoint {
	e := &fileevents.Endpoint{ID: it.ID, ProjectID: it.ProjectID, OrganizationID: it.OrganizationID, URL: it.URL,
		CreatedAt: it.CreatedAt.UTC(), Secret: fileevents.SecretRef{Version: it.SecretVersion, RootTag: it.SecretRoot}}
	for _, t := range it.EventTypes {
		e.EventTypes = append(e.EventTypes, fileevents.Type(t))
	}
	if it.PrevVersion > 0 && it.PrevUntil != nil {
		e.Previous = &fileevents.SecretRef{Version: it.PrevVersion, RootTag: it.PrevRoot}
		e.PreviousUntil = it.PrevUntil.UTC()
	}
	return e
}

// PutEndpoint stores a new endpoint with one conditional PutItem.
func (w *Webhooks) PutEndpoint(ctx context.Context, e *fileevents.Endpoint) error {
	it := endpointItem{PK: endpointPK(e.ProjectID), SK: endpointSK(e.ID), ID: e.ID, ProjectID: e.ProjectID, OrganizationID: e.OrganizationID,
		URL: e.URL, CreatedAt: e.CreatedAt, SecretVersion: e.Secret.Version, SecretRoot: e.Secret.RootTag}
	for _, t := range e.EventTypes {
		it.EventTypes = append(it.EventTypes, string(t))
	}
	return classify(w.table.Put(it).If("attribute_not_exists($)", "pk").Run(ctx))
}

// Endpoints is one consistent Query of the project's endpoint partition.
func (w *Webhooks) Endpoints(ctx context.Context, projectID string) ([]*fileevents.Endpoint, error) {
	var items []endpointItem
	err := w.table.Get("pk", endpointPK(projectID)).Range("sk", dynamo.BeginsWith, "E#").Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, classify(err)
	}
	out := make([]*fileevents.Endpoint, 0, len(items))
	for i := range items {
		out = append(out, items[i].toEndpoint())
	}
	return out, nil
}

// Endpoint is one consistent GetItem.
func (w *Webhooks) Endpoint(ctx context.Context, projectID, id string) (*fileevents.Endpoint, error) {
	var it endpointItem
	err := w.table.Get("pk", endpointPK(projectID)).Range("sk", dynamo.Equal, endpointSK(id)).Consistent(true).One(ctx, &it)
	if err != nil {
		return nil, classify(err)
	}
	return it.toEndpoint(), nil
}

// DeleteEndpoint is one conditional DeleteItem.
func (w *Webhooks) DeleteEndpoint(ctx context.Context, projectID, id string) error {
	err := classify(w.table.Delete("pk", endpointPK(projectID)).Range("sk", endpointSK(id)).If("attribute_exists($)", "pk").Run(ctx))
	if errors.Is(err, files.ErrConditionFailed) {
		return files.ErrNotFound
	}
	return err
}

// RotateSecret is one UpdateItem, conditioned on the secret version e has.
func (w *Webhooks) RotateSecret(ctx context.Context, e *fileevents.Endpoint, next fileevents.SecretRef, until time.Time) (*fileevents.Endpoint, error) {
	var it endpointItem
	err := w.table.Update("pk", endpointPK(e.ProjectID)).Range("sk", endpointSK(e.ID)).
		Set("secretVersion", next.Version).Set("secretRoot", next.RootTag).
		Set("prevSecretVersion", e.Secret.Version).Set("prevSecretRoot", e.Secret.RootTag).Set("prevSecretUntil", until).
		If("attribute_exists($) AND $ = ?", "pk", "secretVersion", e.Secret.Version).Value(ctx, &it)
	if err != nil {
		return nil, classify(err)
	}
	return it.toEndpoint(), nil
}

// Deliveries: one item per event and endpoint, written after the first
// attempt (the stream consumer) and after each retry (the sender):
//
//	delivery: pk=D#<endpointId>#<n> sk=<eventId>   n = a shard of the event id
//	          while pending also: rpk=D#<nn> rat=<next attempt, epoch ms>
//
// Real DynamoDB, which DynamoDB Local does not show:
//   - A partition key takes about 1,000 write units a second. Every
//     delivery to an endpoint writes its log, so one key per endpoint
//     would cap an endpoint near 1,000 writes a second, each delivery one
//     or two (an item of a few KB). A project's events are bounded by its
//     own records' ceiling (§2a: about 1,000 writes a second, and an
//     upload takes two), so an endpoint sees at most some 500 events a
//     second: spread over deliveryShards keys it stays well below the limit.
//     The log reads the shards' newest entries and merges them.
//   - Pending deliveries sit in reconcile's sparse ByReconcileAt index under
//     their own shards (reconcile_index.go, retryPK: rpk and rat exist only
//     while one is due), so the sender's cost follows the retries, never the
//     deliveries made. Its key is spread over retryShards by a hash of the
//     delivery, so a receiver that is down for a burst of events cannot
//     throttle the index (a throttled GSI throttles the table's writes):
//     about retryShards × 1,000 writes a second.
//   - The index is eventually consistent: an entry may lag its item. The
//     sender claims each delivery with a conditional write on the item
//     itself, so a stale entry costs a failed condition, never a second
//     attempt.
//
// deliveryShards is fixed: raising it needs a migration (entries under
// shards past a lowered count are never read).
const deliveryShards = 4

func deliveryPK(endpointID, eventID string) string {
	return "D#" + endpointID + "#" + string(rune('0'+shardOf(eventID, deliveryShards)))
}

// shardOf is FNV-1a of s, mod n.
func shardOf(s string, n uint32) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32() % n
}

type deliveryItem struct {
	PK          string        `dynamo:"pk,hash"`
	SK          string        `dynamo:"sk,range"`
	EndpointID  string        `dynamo:"endpointId"`
	ProjectID   string        `dynamo:"projectId"`
	EventType   string        `dynamo:"eventType"`
	FileID      string        `dynamo:"fileId"`
	Body        string        `dynamo:"body"`
	Status      string        `dynamo:"status"`
	WindowStart time.Time     `dynamo:"windowStart"`
	Attempts    []attemptItem `dynamo:"attempts"`
	RPK         string        `dynamo:"rpk,omitempty"`
	RAt         int64         `dynamo:"rat,omitempty"`
	Lease       int64         `dynamo:"lease,omitempty"`
	TTL         int64         `dynamo:"ttl"`
}

type attemptItem struct {
	At         time.Time `dynamo:"at"`
	StatusCode int       `dynamo:"code,omitempty"`
	LatencyMs  int64     `dynamo:"ms"`
	Error      string    `dynamo:"err,omitempty"`
}

func toDeliveryItem(d *fileevents.Delivery) deliveryItem {
	it := deliveryItem{PK: deliveryPK(d.EndpointID, d.EventID), SK: d.EventID, EndpointID: d.EndpointID, ProjectID: d.ProjectID,
		EventType: string(d.EventType), FileID: d.FileID.String(), Body: string(d.Body), Status: string(d.Status), WindowStart: d.WindowStart.UTC(),
		Attempts: attemptItems(d.Attempts), TTL: deliveryTTL(d)}
	if d.Status == fileevents.DeliveryPending {
		it.RPK, it.RAt = retryPK(d.EndpointID, d.EventID), d.NextAttempt.UnixMilli()
	}
	return it
}

func attemptItems(as []fileevents.Attempt) []attemptItem {
	out := make([]attemptItem, 0, len(as))
	for _, a := range as {
		out = append(out, attemptItem{At: a.At.UTC(), StatusCode: a.StatusCode, LatencyMs: a.Latency.Milliseconds(), Error: a.Error})
	}
	return out
}

// deliveryTTL keeps a delivery DeliveryRetention past its last change (a
// pending one is changed at least every Backoff.Max, far less).
func deliveryTTL(d *fileevents.Delivery) int64 {
	last := d.WindowStart
	if n := len(d.Attempts); n > 0 && d.Attempts[n-1].At.After(last) {
		last = d.Attempts[n-1].At
	}
	return last.Add(fileevents.DeliveryRetention).Unix()
}

func (it *deliveryItem) toDelivery() (*fileevents.Delivery, error) {
	fileID, ok := files.StoredFileID(it.FileID)
	if !ok {
		return nil, fmt.Errorf("dynamostore: delivery %q names the unreadable file id %q", it.SK, it.FileID)
	}
	d := &fileevents.Delivery{EndpointID: it.EndpointID, ProjectID: it.ProjectID, EventID: it.SK, EventType: fileevents.Type(it.EventType),
		FileID: fileID, Body: []byte(it.Body), Status: fileevents.DeliveryStatus(it.Status), WindowStart: it.WindowStart.UTC()}
	for _, a := range it.Attempts {
		d.Attempts = append(d.Attempts, fileevents.Attempt{At: a.At.UTC(), StatusCode: a.StatusCode, Latency: time.Duration(a.LatencyMs) * time.Millisecond, Error: a.Error})
	}
	if it.RAt > 0 {
		d.NextAttempt = time.UnixMilli(it.RAt).UTC()
	}
	if it.Lease > 0 {
		d.Lease = time.UnixMilli(it.Lease).UTC()
	}
	return d, nil
}

// Record is one PutItem, unless the delivery is already stored.
func (w *Webhooks) Record(ctx context.Context, d *fileevents.Delivery) error {
	return classify(w.table.Put(toDeliveryItem(d)).If("attribute_not_exists($)", "pk").Run(ctx))
}

// Claim is one conditional UpdateItem returning the item as it was.
func (w *Webhooks) Claim(ctx context.Context, k fileevents.DeliveryKey, now, lease time.Time) (*fileevents.Delivery, error) {
	var it deliveryItem
	err := w.table.Update("pk", deliveryPK(k.EndpointID, k.EventID)).Range("sk", k.EventID).
		Set("rat", lease.UnixMilli()).Set("lease", lease.UnixMilli()).
		If("$ = ? AND $ <= ?", "status", string(fileevents.DeliveryPending), "rat", now.UnixMilli()).OldValue(ctx, &it)
	if err != nil {
		return nil, classify(err)
	}
	d, err := it.toDelivery()
	if err != nil {
		return nil, err
	}
	d.Lease = time.UnixMilli(lease.UnixMilli()).UTC()
	return d, nil
}

// Finish is one UpdateItem, conditioned on the claim still being d's.
func (w *Webhooks) Finish(ctx context.Context, d *fileevents.Delivery) error {
	it := toDeliveryItem(d)
	u := w.table.Update("pk", it.PK).Range("sk", it.SK).
		Set("status", it.Status).Set("attempts", it.Attempts).Set("ttl", it.TTL).Remove("lease").
		If("$ = ?", "lease", d.Lease.UnixMilli())
	var next time.Time // zero: out of the index
	if it.RPK != "" {
		next = d.NextAttempt
	}
	retryIndex(u, d.EndpointID, d.EventID, next)
	return classify(u.Run(ctx))
}

// Log queries each shard's newest deliveries and merges them.
func (w *Webhooks) Log(ctx context.Context, endpointID, before string, limit int) ([]*fileevents.Delivery, error) {
	var all []deliveryItem
	for n := range deliveryShards {
		q := w.table.Get("pk", "D#"+endpointID+"#"+string(rune('0'+n))).Order(dynamo.Descending).Limit(limit).Consistent(true)
		if before != "" {
			q.Range("sk", dynamo.Less, before)
		}
		var items []deliveryItem
		if err := q.All(ctx, &items); err != nil {
			return nil, classify(err)
		}
		all = append(all, items...)
	}
	// Event ids sort by time: newest first across shards.
	slices.SortFunc(all, func(a, b deliveryItem) int { return cmp.Compare(b.SK, a.SK) })
	if len(all) > limit {
		all = all[:limit]
	}
	out := make([]*fileevents.Delivery, 0, len(all))
	for i := range all {
		d, err := all[i].toDelivery()
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Requeue is one conditional UpdateItem.
func (w *Webhooks) Requeue(ctx context.Context, k fileevents.DeliveryKey, at time.Time) (*fileevents.Delivery, error) {
	var it deliveryItem
	u := w.table.Update("pk", deliveryPK(k.EndpointID, k.EventID)).Range("sk", k.EventID).
		Set("status", string(fileevents.DeliveryPending)).Set("windowStart", at.UTC()).
		Set("ttl", at.Add(fileevents.DeliveryRetention).Unix()).Remove("lease").
		If("attribute_exists($)", "pk")
	retryIndex(u, k.EndpointID, k.EventID, at)
	err := u.Value(ctx, &it)
	if errors.Is(classify(err), files.ErrConditionFailed) {
		return nil, files.ErrNotFound
	}
	if err != nil {
		return nil, classify(err)
	}
	return it.toDelivery()
}
