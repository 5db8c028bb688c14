package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/sdkcalls"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// The events functions' template logical IDs, whose calls the harness counts.
const (
	eventsConsumer = "FileEventsFunction"
	webhookSender  = "WebhookSenderFunction"
)

// runWebhookLag completes n files, spaced, with a webhook to a receiver on 127.0.0.1.
func (h *harness) runWebhookLag(ctx context.Context, n int) (*Section, error) {
	org, project := apitest.NewUUID(), apitest.NewUUID()
	key, err := h.stack.MintKey(ctx, org, project, auth.ScopeWebhooks)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	got, requests := map[string]time.Time{}, 0
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Data struct{ File struct{ ID string } }
		}
		_ = json.NewDecoder(r.Body).Decode(&ev)
		w.WriteHeader(http.StatusNoContent)
		mu.Lock()
		defer mu.Unlock()
		requests++
		if _, ok := got[ev.Data.File.ID]; !ok {
			got[ev.Data.File.ID] = time.Now()
		}
	}))
	defer rcv.Close()
	hook := map[string]any{"url": rcv.URL + "/hook", "eventTypes": []string{"file.completed"}}
	if res, err := apitest.Do(ctx, &filegate.Client{Base: h.stack.APIURL, Key: key, HTTP: h.http}, http.MethodPost, "/v1/webhook-endpoints", hook, nil); err != nil || res.Status != http.StatusCreated {
		return nil, fmt.Errorf("registering the endpoint: %d %v", res.Status, err)
	}
	// Count from here: the registration and earlier sections' records are handled.
	consumer, sender := h.eventCalls[eventsConsumer], h.eventCalls[webhookSender]
	if err := quiet(ctx, consumer); err != nil {
		return nil, err
	}
	consumer.Reset()
	completed := make(map[string]time.Time, n)
	for range n {
		f := pendingFile(org, project)
		if err := h.store.Create(ctx, f); err != nil {
			return nil, err
		}
		if _, err := h.store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCompleted, At: time.Now().UTC(), TTL: files.CompletedTTL(f)}); err != nil {
			return nil, err
		}
		completed[f.ID.String()] = time.Now()
		time.Sleep(20 * time.Millisecond)
	}
	err = waitFor(ctx, 2*time.Minute, 20*time.Millisecond, func() (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= n, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%d of %d webhooks: %w", len(got), n, err)
	}
	// The consumer records each delivery after the receiver's answer.
	if err := quiet(ctx, consumer); err != nil {
		return nil, err
	}
	consumed := consumer.Snapshot()
	sender.Reset()
	if _, err := h.stack.SendWebhooks(ctx); err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	lags := make([]time.Duration, 0, n)
	for id, at := range completed {
		lags = append(lags, max(got[id].Sub(at), 0))
	}
	l, perEvent, sent := Summarize(lags), float64(total(consumed))/float64(n), sender.Snapshot()
	s := &Section{Name: "webhooklag"}
	s.table(fmt.Sprintf("Webhook lag: %d files completed one after another (local stack); per file, its COMPLETED write to the receiver's 2xx", n),
		"p50 | p90 | p99 | max | receiver requests per event").row("%.0f ms | %.0f ms | %.0f ms | %.0f ms | %.2f", l.P50, l.P90, l.P99, l.Max, float64(requests)/float64(n))
	t := s.table("SDK calls of the events functions (each function's own clients counted; the stream reads are the event source mapping's)", "function | calls | per delivered event | by operation")
	t.row("events consumer, from the first upload to the last delivery | %d | %.2f | %s", total(consumed), perEvent, calls(consumed))
	t.row("webhook sender, one scheduled run (nothing due) | %d | per run, not per event | %s", total(sent), calls(sent))
	t.note("No event bus locally: on AWS the consumer also makes EventBridge.PutEvents calls, one per up to 10 events of a stream batch (so at most 1 per event).")
	s.budget(fmt.Sprintf("webhook: COMPLETED to the receiver's 2xx, %d files (local stack)", n), "reported (p50, p99)", true,
		"p50 %.0f ms, p99 %.0f ms; %.2f receiver requests and %.2f SDK calls (events consumer) per event", l.P50, l.P99, float64(requests)/float64(n), perEvent)
	return s, nil
}

// quiet waits until c has counted no call for a second, at most 30 s.
func quiet(ctx context.Context, c *sdkcalls.Counter) error {
	last, since := -1, time.Now()
	return waitFor(ctx, 30*time.Second, 100*time.Millisecond, func() (bool, error) {
		if k := total(c.Snapshot()); k != last {
			last, since = k, time.Now()
		}
		return time.Since(since) >= time.Second, nil
	})
}
