package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/fileevents"
)

// The events samples' ids (events/README.md).
const (
	sampleEndpointID = "we_06DV2VQYG23XM86237D1DVGP1G"
	sampleEventID    = "evt_06DW2B9S7R17D6HV0D6KZ3BGT0"
	sampleHookURL    = "https://hooks.example.com/filegate"
)

// hookServer is a receiver for the entry checks: it records each request's
// webhook-id and event type, answering the statuses queued (then 204).
type hookServer struct {
	*httptest.Server
	mu      sync.Mutex
	answers []int
	got     []struct{ ID, Type string }
}

func newHookServer(t *testing.T, answers ...int) *hookServer {
	h := &hookServer{answers: answers}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev struct{ Type string }
		_ = json.Unmarshal(body, &ev)
		h.mu.Lock()
		h.got = append(h.got, struct{ ID, Type string }{r.Header.Get("webhook-id"), ev.Type})
		status := http.StatusNoContent
		if len(h.answers) > 0 {
			status, h.answers = h.answers[0], h.answers[1:]
		}
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) requests() []struct{ ID, Type string } {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]struct{ ID, Type string }(nil), h.got...)
}

// waitRequests waits (bounded) until the server has n requests.
func (h *hookServer) waitRequests(t *testing.T, n int) []struct{ ID, Type string } {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if got := h.requests(); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d webhook requests, want %d", len(h.requests()), n)
		}
	}
}

// hooks is the entry's project with a key that may manage webhooks.
func (e *entry) hooks() *apitest.Tenant {
	e.t.Helper()
	key, err := stack.MintKey(e.t.Context(), e.org, e.ten.ProjectID, auth.ScopeWebhooks, auth.ScopeCreate, auth.ScopeRead)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.ten.WithKey(key)
}

// registerHook registers h for types through the stack.
func (e *entry) registerHook(h *hookServer, types ...string) endpoint {
	e.t.Helper()
	var ep endpoint
	if st := e.hooks().Call("POST", "/v1/webhook-endpoints", map[string]any{"url": h.URL + "/hook", "eventTypes": types}, &ep); st != http.StatusCreated {
		e.t.Fatalf("register: %d", st)
	}
	return ep
}

// cancelOne makes a file.cancelled event in the entry's project.
func (e *entry) cancelOne() filegate.File {
	f := e.createFox()
	if st := e.ten.Call("POST", "/v1/files/"+f.ID+"/cancel", map[string]any{}, nil); st != http.StatusOK {
		e.t.Fatalf("cancel: %d", st)
	}
	return f
}

func checkCreateWebhookEndpoint(e *entry) {
	h := newHookServer(e.t)
	st, body := e.http(e.event(sampleHookURL, h.URL+"/hook"))
	var ep endpoint
	e.decode(body, &ep)
	if st != http.StatusCreated || !fileevents.ValidEndpointID(ep.ID) || len(ep.Secret) < 40 || len(ep.EventTypes) != 3 {
		e.t.Fatalf("create: %d %s", st, body)
	}
	var list struct{ Data []endpoint }
	if e.hooks().Call("GET", "/v1/webhook-endpoints", nil, &list); len(list.Data) != 1 || list.Data[0].ID != ep.ID {
		e.t.Errorf("the stack lists %+v, want the endpoint the binary registered", list.Data)
	}
}

func checkListWebhookEndpoints(e *entry) {
	ep := e.registerHook(newHookServer(e.t), "file.completed")
	st, body := e.http(e.event())
	var list struct{ Data []endpoint }
	e.decode(body, &list)
	if st != http.StatusOK || len(list.Data) != 1 || list.Data[0].ID != ep.ID || list.Data[0].Secret != "" {
		e.t.Errorf("list: %d %s", st, body)
	}
}

func checkDeleteWebhookEndpoint(e *entry) {
	ep := e.registerHook(newHookServer(e.t), "file.completed")
	if st, body := e.http(e.event(sampleEndpointID, ep.ID)); st != http.StatusNoContent {
		e.t.Fatalf("delete: %d %s", st, body)
	}
	var list struct{ Data []endpoint }
	if e.hooks().Call("GET", "/v1/webhook-endpoints", nil, &list); len(list.Data) != 0 {
		e.t.Errorf("after the delete the stack lists %+v", list.Data)
	}
}

func checkRotateWebhookSecret(e *entry) {
	ep := e.registerHook(newHookServer(e.t), "file.completed")
	st, body := e.http(e.event(sampleEndpointID, ep.ID))
	var got endpoint
	e.decode(body, &got)
	if st != http.StatusOK || got.SecretVersion != 2 || got.Secret == "" || got.Secret == ep.Secret {
		e.t.Errorf("rotate: %d %s", st, body)
	}
}

func checkListWebhookDeliveries(e *entry) {
	h := newHookServer(e.t)
	ep := e.registerHook(h, "file.cancelled")
	f := e.cancelOne()
	h.waitRequests(e.t, 1)
	var log struct {
		Data []struct{ FileID, Status string }
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		st, body := e.http(e.event(sampleEndpointID, ep.ID))
		e.decode(body, &log)
		if st == http.StatusOK && len(log.Data) == 1 && log.Data[0].FileID == f.ID && log.Data[0].Status == "delivered" {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("deliveries: %d %s", st, body)
		}
	}
}

func checkReplayWebhookDelivery(e *entry) {
	h := newHookServer(e.t)
	ep := e.registerHook(h, "file.cancelled")
	e.cancelOne()
	first := h.waitRequests(e.t, 1)[0]
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		st, body := e.http(e.event(sampleEndpointID, ep.ID, sampleEventID, first.ID))
		if st == http.StatusAccepted {
			break
		}
		if st != http.StatusNotFound || time.Now().After(deadline) { // 404 until the delivery is recorded
			e.t.Fatalf("replay: %d %s", st, body)
		}
	}
	sendWebhooks(e.t)
	if again := h.waitRequests(e.t, 2)[1]; again.ID != first.ID {
		e.t.Errorf("the replay came with webhook-id %s, want %s", again.ID, first.ID)
	}
}

// checkFileEvents feeds the sample batch (a file completed, then deleted
// through the API) twice: each event reaches the project's endpoint, and
// is recorded once however often the batch comes.
func checkFileEvents(e *entry) {
	h := newHookServer(e.t)
	ep := e.registerHook(h, "file.completed", "file.deleted")
	r := e.start()
	for range 2 {
		var resp events.DynamoDBEventResponse
		e.decode(e.invoke(r, e.event()), &resp)
		if len(resp.BatchItemFailures) != 0 {
			e.t.Errorf("batch item failures: %+v", resp.BatchItemFailures)
		}
	}
	got := h.waitRequests(e.t, 4)
	if got[0].Type != "file.completed" || got[1].Type != "file.deleted" || got[0].ID == got[1].ID || got[2].ID != got[0].ID || got[3].ID != got[1].ID {
		e.t.Errorf("requests %+v: want completed then deleted, each with its own id, the same ids again", got)
	}
	var log struct{ Data []struct{ EventType string } }
	if e.hooks().Call("GET", "/v1/webhook-endpoints/"+ep.ID+"/deliveries", nil, &log); len(log.Data) != 2 {
		e.t.Errorf("the log holds %d deliveries, want 2", len(log.Data))
	}
}

// checkWebhookSender: the receiver fails the first attempt; the binary's
// run makes the retry, and reports it.
func checkWebhookSender(e *entry) {
	h := newHookServer(e.t, http.StatusServiceUnavailable)
	e.registerHook(h, "file.cancelled")
	e.cancelOne()
	first := h.waitRequests(e.t, 1)[0]
	time.Sleep(500 * time.Millisecond) // the retry is due 200-240 ms after the first attempt
	r := e.start()
	var rep fileevents.SendReport
	e.decode(e.invoke(r, e.event()), &rep)
	if rep.Delivered < 1 {
		e.t.Errorf("report %+v: want the retry delivered", rep)
	}
	if got := h.waitRequests(e.t, 2); got[1].ID != first.ID {
		e.t.Errorf("retry with webhook-id %s, want %s", got[1].ID, first.ID)
	}
}

// sendWebhooks runs the scheduled sender once (the suite's stack runs it
// only on demand, so that the sender's own binary meets no other sender).
func sendWebhooks(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := stack.SendWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
}
