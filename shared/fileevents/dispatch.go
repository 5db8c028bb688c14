package fileevents

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Dispatcher turns the stored changes of file records into events: each
// is published to the bus (when there is one) and delivered once, straight
// away, to every endpoint of its project that wants it; a delivery that
// fails is recorded for the Sender to retry. A change is done once its
// deliveries are recorded: the stream redelivers anything not done, so an
// event whose state change was stored is never lost (at least once).
type Dispatcher struct {
	Endpoints interface {
		Endpoints(ctx context.Context, projectID string) ([]*Endpoint, error)
	}
	Deliveries interface {
		Record(ctx context.Context, d *Delivery) error
	}
	Bus     Bus // nil: no bus (the local stack)
	Poster  Poster
	Root    Root
	Render  Render
	Backoff Backoff
	Clock   func() time.Time
	Log     *slog.Logger
	// Parallel bounds the deliveries under way at once; a file's own events
	// are delivered one after another, in the order they happened.
	Parallel int
}

// Dispatch handles changes in order and returns how many from the start
// are done; on an error the rest (from the first change not done) must be
// handed to it again.
func (d *Dispatcher) Dispatch(ctx context.Context, changes []Change) (int, error) {
	evs := make([]Event, 0, len(changes))
	at := make([]int, 0, len(changes)) // index of each event's change
	msgs := make([]Message, 0, len(changes))
	for i, c := range changes {
		ev, ok := c.Event()
		if !ok {
			continue
		}
		msg, err := ev.Message(d.Render)
		if err != nil {
			return i, files.Internal(err)
		}
		evs, at, msgs = append(evs, ev), append(at, i), append(msgs, msg)
	}
	limit := len(changes) // changes done if every event is
	if d.Bus != nil && len(msgs) > 0 {
		n, err := d.Bus.Publish(ctx, msgs)
		if err != nil {
			d.Log.ErrorContext(ctx, "publishing events failed; will be retried", "published", n, "of", len(msgs), "err", err)
			evs, msgs, limit = evs[:n], msgs[:n], at[n]
		}
	}
	failed := d.deliver(ctx, evs, msgs)
	done := limit
	if failed < len(evs) {
		done = at[failed]
	}
	if done < len(changes) {
		return done, fmt.Errorf("%d of %d changes done", done, len(changes))
	}
	return done, nil
}

// deliver makes each event's first attempts and records them; it returns
// the index of the first event whose deliveries could not all be recorded
// (len(evs) when all were).
func (d *Dispatcher) deliver(ctx context.Context, evs []Event, msgs []Message) int {
	endpoints := map[string][]*Endpoint{}
	firstFailed := len(evs)
	for i, ev := range evs {
		if _, ok := endpoints[ev.ProjectID]; ok {
			continue
		}
		eps, err := d.Endpoints.Endpoints(ctx, ev.ProjectID)
		if err != nil {
			d.Log.ErrorContext(ctx, "reading webhook endpoints failed; will be retried", "projectId", ev.ProjectID, "err", err)
			firstFailed = i
			break
		}
		endpoints[ev.ProjectID] = eps
	}
	// A file's events in order, one file after another per worker.
	byFile := map[files.FileID][]int{}
	var order []files.FileID
	for i := range evs[:firstFailed] {
		id := evs[i].File.ID
		if byFile[id] == nil {
			order = append(order, id)
		}
		byFile[id] = append(byFile[id], i)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(d.Parallel, 1))
	for _, id := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(idx []int) {
			defer func() { <-sem; wg.Done() }()
			for _, i := range idx {
				if err := d.deliverEvent(ctx, evs[i], msgs[i], endpoints[evs[i].ProjectID]); err != nil {
					d.Log.ErrorContext(ctx, "recording a webhook delivery failed; will be retried", "eventId", evs[i].ID, "err", err)
					mu.Lock()
					firstFailed = min(firstFailed, i)
					mu.Unlock()
					return // the file's later events wait for this one
				}
			}
		}(byFile[id])
	}
	wg.Wait()
	return firstFailed
}

// deliverEvent attempts ev at every endpoint that wants it and records
// each delivery.
func (d *Dispatcher) deliverEvent(ctx context.Context, ev Event, msg Message, eps []*Endpoint) error {
	var errs []error
	for _, e := range eps {
		if !e.Wants(ev.Type) {
			continue
		}
		now := d.Clock()
		del := &Delivery{EndpointID: e.ID, ProjectID: ev.ProjectID, EventID: ev.ID, EventType: ev.Type, FileID: ev.File.ID, Body: msg.Body, WindowStart: now}
		a := attempt(ctx, d.Poster, d.Root, e, msg, now)
		settle(del, a, d.Backoff, d.Log)
		if err := d.Deliveries.Record(ctx, del); err != nil && !errors.Is(err, files.ErrConditionFailed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// attempt signs and posts msg to e once.
func attempt(ctx context.Context, p Poster, root Root, e *Endpoint, msg Message, now time.Time) Attempt {
	keys, err := e.SigningKeys(ctx, root, now)
	if err != nil {
		return Attempt{At: now, Error: "signing: " + err.Error()}
	}
	a := p.Post(ctx, e.URL, msg, keys)
	a.At = now
	return a
}

// settle adds a to del and moves it on: delivered, due again by the
// schedule, or dead-lettered.
func settle(del *Delivery, a Attempt, b Backoff, log *slog.Logger) {
	del.Attempts = append(del.Attempts, a)
	if n := len(del.Attempts); n > MaxLoggedAttempts {
		del.Attempts = del.Attempts[n-MaxLoggedAttempts:]
	}
	if a.OK() {
		del.Status, del.NextAttempt = DeliveryDelivered, time.Time{}
		return
	}
	next, dead := b.Next(attemptsInWindow(del), del.WindowStart, a.At)
	if dead {
		del.Status, del.NextAttempt = DeliveryFailed, time.Time{}
		// The dead-letter metric (template.yaml) counts this message.
		log.Error("webhook delivery dead-lettered", "endpointId", del.EndpointID, "eventId", del.EventID, "projectId", del.ProjectID,
			"attempts", len(del.Attempts), "statusCode", a.StatusCode, "error", a.Error)
		return
	}
	del.Status, del.NextAttempt = DeliveryPending, next
}

// attemptsInWindow counts the attempts since the window began.
func attemptsInWindow(del *Delivery) int {
	n := 0
	for _, a := range del.Attempts {
		if !a.At.Before(del.WindowStart) {
			n++
		}
	}
	return max(n, 1)
}
