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

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// WebhookLagResult is how long a webhook took from a file's COMPLETED
// write to the receiver's 2xx, on the local stack (the stream read 4 times
// a second, the first attempt made straight from the stream consumer), and
// how many requests the receiver got per event (1 when nothing is retried).
type WebhookLagResult struct {
	Events           int     `json:"events"`
	Lag              Dist    `json:"lag"`
	RequestsPerEvent float64 `json:"requests_per_event"`
}

// runWebhookLag completes n files one after another (the store's own
// conditional UpdateItem, spaced so that it is no burst) with a webhook
// endpoint on a receiver on 127.0.0.1 registered through the API.
func (h *harness) runWebhookLag(ctx context.Context, n int) (*WebhookLagResult, error) {
	org, project := filegate.NewUUID(), filegate.NewUUID()
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
	completed := make(map[string]time.Time, n)
	for range n {
		f := pendingFile(org, project)
		if err := h.store.Create(ctx, f); err != nil {
			return nil, err
		}
		if _, err := h.store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCompleted, At: time.Now().UTC(), TTL: files.CompletedTTL(f)}); err != nil {
			return nil, err
		}
		completed[f.ID] = time.Now()
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
	mu.Lock()
	defer mu.Unlock()
	lags := make([]time.Duration, 0, n)
	for id, at := range completed {
		lags = append(lags, max(got[id].Sub(at), 0))
	}
	return &WebhookLagResult{Events: n, Lag: Summarize(lags), RequestsPerEvent: round2(float64(requests) / float64(n))}, nil
}
