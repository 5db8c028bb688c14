package fileevents

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Sender is the scheduled sender: it makes the attempts that are due, for
// deliveries whose first attempt (the Dispatcher's) or a later one failed.
// Senders may overlap (a run that outlasts its schedule): each delivery is
// claimed with a conditional write before its attempt, so no two senders
// attempt it at once, and a claim lapses (the delivery is due again) if
// its sender dies, so a crash loses nothing.
type Sender struct {
	Endpoints interface {
		Endpoint(ctx context.Context, projectID, id string) (*Endpoint, error)
	}
	Deliveries DeliveryStore
	Poster     Poster
	Root       Root
	Backoff    Backoff
	// Timeout bounds one attempt; a claim is held Timeout + ClaimMargin.
	Timeout  time.Duration
	Clock    func() time.Time
	Log      *slog.Logger
	Parallel int // attempts under way at once
	// StopBefore ends a run this long before its context's deadline, so
	// the attempts under way finish and are recorded.
	StopBefore time.Duration
}

// ClaimMargin is how much longer than an attempt a claim is held.
const ClaimMargin = 5 * time.Second

// SendReport is what one run did.
type SendReport struct {
	Attempted, Delivered, Retrying, DeadLettered int
	// Overdue is how late the most overdue attempt of the run was: a
	// sender falling behind shows here (the delivery age alarm).
	Overdue time.Duration
}

// Run attempts every delivery due now, until they are done or the run's
// time is up.
func (s *Sender) Run(ctx context.Context) (SendReport, error) {
	var rep SendReport
	start := s.Clock()
	runCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, dl.Add(-s.StopBefore))
		defer cancel()
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(s.Parallel, 1))
	endpoints := &endpointCache{get: s.Endpoints.Endpoint, byID: map[string]*endpointEntry{}}
	var err error
	for k, e := range s.Deliveries.Due(runCtx, start) {
		if e != nil {
			err = e
			break
		}
		if runCtx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			out, overdue := s.one(ctx, k, endpoints)
			mu.Lock()
			defer mu.Unlock()
			rep.Overdue = max(rep.Overdue, overdue)
			switch out {
			case DeliveryDelivered:
				rep.Attempted++
				rep.Delivered++
			case DeliveryPending:
				rep.Attempted++
				rep.Retrying++
			case DeliveryFailed:
				rep.Attempted++
				rep.DeadLettered++
			}
		}()
	}
	wg.Wait()
	if runCtx.Err() != nil && ctx.Err() == nil {
		err = nil // out of time: the next run goes on
	}
	if rep.Attempted == 0 && rep.Overdue == 0 {
		return rep, err // nothing was due: no line every minute for nothing
	}
	// The delivery age metric (template.yaml) reads this line.
	s.Log.InfoContext(ctx, "webhook sender run", "attempted", rep.Attempted, "delivered", rep.Delivered,
		"retrying", rep.Retrying, "deadLettered", rep.DeadLettered, "overdueSeconds", int64(rep.Overdue/time.Second))
	return rep, err
}

// one claims, attempts and records one delivery; it returns the
// delivery's status after it ("" if it was not attempted) and how late the
// attempt was.
func (s *Sender) one(ctx context.Context, k DeliveryKey, endpoints *endpointCache) (DeliveryStatus, time.Duration) {
	now := s.Clock()
	d, err := s.Deliveries.Claim(ctx, k, now, now.Add(s.Timeout+ClaimMargin))
	if err != nil {
		if !errors.Is(err, files.ErrConditionFailed) {
			s.Log.WarnContext(ctx, "claiming a webhook delivery failed", "endpointId", k.EndpointID, "eventId", k.EventID, "err", err)
		}
		return "", 0
	}
	overdue := now.Sub(d.NextAttempt)
	e, err := endpoints.endpoint(ctx, d.ProjectID, d.EndpointID)
	switch {
	case errors.Is(err, files.ErrNotFound):
		// The endpoint was deleted: its deliveries end here, quietly.
		d.Status, d.NextAttempt = DeliveryFailed, time.Time{}
		d.Attempts = append(d.Attempts, Attempt{At: now, Error: "endpoint deleted"})
		s.finish(ctx, d)
		return "", overdue
	case err != nil:
		s.Log.WarnContext(ctx, "reading a webhook endpoint failed; the claim lapses and the delivery is due again", "endpointId", d.EndpointID, "err", err)
		return "", overdue
	}
	actx, cancel := context.WithTimeout(ctx, s.Timeout)
	a := attempt(actx, s.Poster, s.Root, e, Message{ID: d.EventID, Type: d.EventType, Body: d.Body}, now)
	cancel()
	settle(d, a, s.Backoff, s.Log)
	s.finish(ctx, d)
	return d.Status, overdue
}

func (s *Sender) finish(ctx context.Context, d *Delivery) {
	if err := s.Deliveries.Finish(ctx, d); err != nil {
		// The claim lapses and the delivery is due again: attempted twice at
		// worst, with the same webhook-id.
		s.Log.WarnContext(ctx, "recording a webhook attempt failed", "endpointId", d.EndpointID, "eventId", d.EventID, "err", err)
	}
}

// endpointCache reads each endpoint once per run.
type endpointCache struct {
	get  func(ctx context.Context, projectID, id string) (*Endpoint, error)
	mu   sync.Mutex
	byID map[string]*endpointEntry
}

type endpointEntry struct {
	once sync.Once
	e    *Endpoint
	err  error
}

func (c *endpointCache) endpoint(ctx context.Context, projectID, id string) (*Endpoint, error) {
	c.mu.Lock()
	ent := c.byID[projectID+"/"+id]
	if ent == nil {
		ent = &endpointEntry{}
		c.byID[projectID+"/"+id] = ent
	}
	c.mu.Unlock()
	ent.once.Do(func() { ent.e, ent.err = c.get(ctx, projectID, id) })
	return ent.e, ent.err
}
