package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/sdkcalls"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// WebhookLagResult: COMPLETED → receiver 2xx per file, and the events functions' SDK calls (README.md §8).
type WebhookLagResult struct {
	Events           int     `json:"events"`
	Lag              Dist    `json:"lag"`
	RequestsPerEvent float64 `json:"requests_per_event"`
	// ConsumerCalls: the events consumer's own SDK calls, first upload to last delivery.
	ConsumerCalls map[string]int `json:"consumer_calls"`
	// SenderCalls: one scheduled sender run afterwards (per run, not per event).
	SenderCalls map[string]int `json:"sender_run_calls"`
	// CallsPerEvent is ConsumerCalls over Events, by operation and "total".
	CallsPerEvent map[string]float64 `json:"calls_per_event"`
}

// The events functions' template logical IDs, whose calls the harness counts.
const (
	eventsConsumer = "FileEventsFunction"
	webhookSender  = "WebhookSenderFunction"
)

// runWebhookLag completes n files, spaced, with a webhook to a receiver on 127.0.0.1.
func (h *harness) runWebhookLag(ctx context.Context, n int) (*WebhookLagResult, error) {
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
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &ev)
		w.WriteHeader(http.StatusNoContent)
		mu.Lock()
		defer mu.Unlock()
		requests++
		if _, ok := got[ev.Data.File.ID]; !ok {
			got[ev.Data.File.ID] = time.Now()
		}
	}))
	defer rcv.Close()
	reg, _ := json.Marshal(map[string]any{"url": rcv.URL + "/hook", "eventTypes": []string{"file.completed"}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.stack.APIURL+"/v1/webhook-endpoints", bytes.NewReader(reg))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.http.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("registering the endpoint: %d", resp.StatusCode)
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
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		k := len(got)
		mu.Unlock()
		if k >= n {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d of %d webhooks after 2 minutes", k, n)
		}
	}
	// The consumer records each delivery after the receiver's answer.
	if err := quiet(ctx, consumer); err != nil {
		return nil, err
	}
	res := &WebhookLagResult{Events: n, ConsumerCalls: consumer.Snapshot(), CallsPerEvent: map[string]float64{}}
	sender.Reset()
	if _, err := h.stack.SendWebhooks(ctx); err != nil {
		return nil, err
	}
	res.SenderCalls = sender.Snapshot()
	total := 0
	for op, k := range res.ConsumerCalls {
		res.CallsPerEvent[op] = round2(float64(k) / float64(n))
		total += k
	}
	res.CallsPerEvent["total"] = round2(float64(total) / float64(n))
	mu.Lock()
	defer mu.Unlock()
	lags := make([]time.Duration, 0, n)
	for id, at := range completed {
		lags = append(lags, max(got[id].Sub(at), 0))
	}
	res.Lag, res.RequestsPerEvent = Summarize(lags), round2(float64(requests)/float64(n))
	return res, nil
}

// quiet waits until c has counted no call for a second, at most 30 s.
func quiet(ctx context.Context, c *sdkcalls.Counter) error {
	last, since := -1, time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if k := total(c.Snapshot()); k != last {
			last, since = k, time.Now()
		} else if time.Since(since) >= time.Second {
			return nil
		}
	}
	return fmt.Errorf("the events consumer was still calling after 30 s")
}

// webhookLagTable renders the section.
func webhookLagTable(p func(string, ...any), w *WebhookLagResult) {
	p("## Webhook lag: %d files completed one after another (local stack); per file, its COMPLETED write to the receiver's 2xx\n\n", w.Events)
	p("| p50 | p90 | p99 | max | receiver requests per event |\n|---:|---:|---:|---:|---:|\n")
	p("| %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.2f |\n\n", w.Lag.P50, w.Lag.P90, w.Lag.P99, w.Lag.Max, w.RequestsPerEvent)
	p("| function | calls | per delivered event | by operation |\n|---|---:|---:|---|\n")
	p("| events consumer, from the first upload to the last delivery | %d | %.2f | %s |\n", total(w.ConsumerCalls), w.CallsPerEvent["total"], calls(w.ConsumerCalls))
	p("| webhook sender, one scheduled run (nothing due) | %d | per run, not per event | %s |\n\n", total(w.SenderCalls), calls(w.SenderCalls))
}
