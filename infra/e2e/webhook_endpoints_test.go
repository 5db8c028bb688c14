package e2e

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/filegate/filegate/infra/webhookreceiver"
	"github.com/filegate/filegate/shared/auth"
)

// Managing endpoints takes an API key with webhooks:manage: a key without
// it and an upload token are 403; bad registrations are 400s naming the
// field; another project's endpoint is 404 on every route; a list shows no
// secret; a deleted endpoint gets nothing more.
func TestWebhookEndpointsAPI(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	c := webhooksTenant(t)
	ep := c.register(r, "file.completed", "file.cancelled")

	filesOnly := newTenant(t, auth.ScopeCreate, auth.ScopeRead)
	if st := filesOnly.Call("GET", "/v1/webhook-endpoints", nil, nil); st != http.StatusForbidden {
		t.Errorf("a key without webhooks:manage lists endpoints: %d, want 403", st)
	}
	var tok struct{ Token string }
	if st := c.Call("POST", "/v1/upload-tokens", map[string]any{}, &tok); st != http.StatusOK {
		t.Fatalf("mint: %d", st)
	}
	for _, rt := range []struct{ method, path string }{
		{"GET", "/v1/webhook-endpoints"}, {"POST", "/v1/webhook-endpoints"}, {"DELETE", "/v1/webhook-endpoints/" + ep.ID},
		{"POST", "/v1/webhook-endpoints/" + ep.ID + "/rotate-secret"}, {"GET", "/v1/webhook-endpoints/" + ep.ID + "/deliveries"},
	} {
		if st := c.WithKey(tok.Token).Call(rt.method, rt.path, map[string]any{"url": r.HookURL, "eventTypes": []string{"file.completed"}}, nil); st != http.StatusForbidden {
			t.Errorf("an upload token on %s %s: %d, want 403", rt.method, rt.path, st)
		}
	}

	for name, body := range map[string]map[string]any{
		"no event types":         {"url": r.HookURL, "eventTypes": []string{}},
		"an unknown event type":  {"url": r.HookURL, "eventTypes": []string{"file.created"}},
		"a repeated event type":  {"url": r.HookURL, "eventTypes": []string{"file.completed", "file.completed"}},
		"plain http, not local":  {"url": "http://93.184.216.34/hook", "eventTypes": []string{"file.completed"}},
		"a private address":      {"url": "https://10.1.2.3/hook", "eventTypes": []string{"file.completed"}},
		"the metadata address":   {"url": "https://169.254.169.254/latest/meta-data/", "eventTypes": []string{"file.completed"}},
		"credentials in the URL": {"url": "https://user:pw@93.184.216.34/hook", "eventTypes": []string{"file.completed"}},
		"not a URL":              {"url": "hooks", "eventTypes": []string{"file.completed"}},
	} {
		var e struct{ Error struct{ Type, Param string } }
		if st := c.Call("POST", "/v1/webhook-endpoints", body, &e); st != http.StatusBadRequest || e.Error.Param == "" {
			t.Errorf("%s: %d %+v, want 400 naming the field", name, st, e)
		}
	}

	var list struct {
		Data []endpoint `json:"data"`
	}
	if st := c.Call("GET", "/v1/webhook-endpoints", nil, &list); st != http.StatusOK || len(list.Data) != 1 || list.Data[0].ID != ep.ID || list.Data[0].Secret != "" {
		t.Errorf("list: %d %+v; want the one endpoint, no secret", st, list.Data)
	}
	other := webhooksTenant(t)
	for _, rt := range []struct{ method, path string }{
		{"DELETE", "/v1/webhook-endpoints/" + ep.ID}, {"POST", "/v1/webhook-endpoints/" + ep.ID + "/rotate-secret"},
		{"GET", "/v1/webhook-endpoints/" + ep.ID + "/deliveries"}, {"POST", "/v1/webhook-endpoints/" + ep.ID + "/deliveries/evt_06DW2B9S7R17D6HV0D6KZ3BGT0/replay"},
	} {
		if st := other.Call(rt.method, rt.path, map[string]any{}, nil); st != http.StatusNotFound {
			t.Errorf("another project's %s %s: %d, want 404", rt.method, rt.path, st)
		}
	}

	// Deleted: a file cancelled afterwards is delivered nowhere.
	if st := c.Call("DELETE", "/v1/webhook-endpoints/"+ep.ID, nil, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	if st := c.Call("DELETE", "/v1/webhook-endpoints/"+ep.ID, nil, nil); st != http.StatusNotFound {
		t.Errorf("second delete: %d, want 404", st)
	}
	f := c.Create("x.pdf", "application/pdf", len(pdfBytes), "")
	c.Call("POST", "/v1/files/"+f.ID+"/cancel", map[string]any{}, nil)
	time.Sleep(2 * time.Second) // well past the consumer's poll and first attempt
	if ds, _ := r.Deliveries(); len(ds) != 0 {
		t.Errorf("a deleted endpoint got %d deliveries", len(ds))
	}
}

// A rotation answers a new secret; for a day both sign every delivery, so
// a receiver holding either verifies it. A replay delivers the event again
// with the same webhook-id.
func TestWebhookRotationAndReplay(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	c := webhooksTenant(t)
	ep := c.register(r, "file.cancelled")
	var rotated endpoint
	if st := c.Call("POST", "/v1/webhook-endpoints/"+ep.ID+"/rotate-secret", map[string]any{}, &rotated); st != http.StatusOK {
		t.Fatalf("rotate: %d", st)
	}
	if rotated.Secret == ep.Secret || rotated.SecretVersion != 2 || rotated.PreviousSecretExpiresAt == nil {
		t.Fatalf("rotated endpoint %+v: want a new secret, version 2, the old one's end", rotated)
	}
	for _, secret := range []string{ep.Secret, rotated.Secret} {
		if err := r.SetSecrets(secret); err != nil {
			t.Fatal(err)
		}
		f := c.Create("x.pdf", "application/pdf", len(pdfBytes), "")
		c.Call("POST", "/v1/files/"+f.ID+"/cancel", map[string]any{}, nil)
		ds := waitEvents(t, r, []want{{"file.cancelled", f.ID, ""}})
		d := ds[slices.IndexFunc(ds, func(d webhookreceiver.Delivery) bool { return matches(d, want{"file.cancelled", f.ID, ""}) })]
		if !d.Verified {
			t.Errorf("a delivery during the rotation does not verify with the secret %s: %s (signature %q)", secret[:12], d.Error, d.Signature)
		}
	}

	ds, _ := r.Deliveries()
	first := ds[0]
	if st := c.Call("POST", "/v1/webhook-endpoints/"+ep.ID+"/deliveries/"+first.ID+"/replay", map[string]any{}, nil); st != http.StatusAccepted {
		t.Fatalf("replay: %d", st)
	}
	sendWebhooks(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if _, err := r.Wait(ctx, func(ds []webhookreceiver.Delivery) bool {
		n := 0
		for _, d := range ds {
			if d.ID == first.ID && d.Verified {
				n++
			}
		}
		return n == 2
	}); err != nil {
		t.Errorf("the replayed delivery (webhook-id %s) did not arrive again: %v", first.ID, err)
	}
	if st := c.Call("POST", "/v1/webhook-endpoints/"+ep.ID+"/deliveries/evt_06DW2B9S7R17D6HV0D6KZ3BGT0/replay", map[string]any{}, nil); st != http.StatusNotFound {
		t.Errorf("replay of an event never delivered there: %d, want 404", st)
	}
}
