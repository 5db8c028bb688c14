package faults

import (
	"context"
	"net/http"
	"testing"
)

// Issue 27.2: a DELETE answered 2xx leaves no URL that serves the bytes.
// With storage down, a DELETE of either dialect cannot delete the object,
// so it answers 503 with Retry-After and keeps the file (readable, its
// earlier download URL still serving once storage is back); the DELETE
// retried with storage up answers 204, and from then on the URL handed
// out before serves nothing.
func TestDeleteWithStorageDownAnswers503AndA2xxLeavesNoURLServing(t *testing.T) {
	st := startStack(t)
	ctx := context.Background()
	c := newClient(t, st)
	type target struct {
		name, path, url, id string
	}
	var targets []*target
	for i, dialect := range []string{"/v1/files/", "/api/v1/beta/files/"} {
		f := create(c, uniquePDF(i))
		putBody(t, f, uniquePDF(i))
		c.WaitStatus(f.ID, "COMPLETED")
		u, _, err := c.Client.DownloadURL(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, &target{name: "DELETE " + dialect + "{id}", path: dialect + f.ID, url: u, id: f.ID})
	}
	serves := func(u string) int {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	if err := st.MinIO.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		status, h := c.Do("DELETE", tg.path, nil, nil)
		if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
			t.Errorf("%s with storage down: %d (Retry-After %q), want 503 with Retry-After", tg.name, status, h.Get("Retry-After"))
		}
		if status := c.Call("GET", "/v1/files/"+tg.id, nil, nil); status != http.StatusOK {
			t.Errorf("after %s failed, GET the file: %d, want 200 (the record stays)", tg.name, status)
		}
	}
	if err := st.MinIO.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if code := serves(tg.url); code != http.StatusOK {
			t.Errorf("before a successful %s the earlier URL answers %d, want 200 (the file still exists)", tg.name, code)
		}
		if status := c.Call("DELETE", tg.path, nil, nil); status != http.StatusNoContent {
			t.Fatalf("%s with storage up: %d, want 204", tg.name, status)
		}
		if code := serves(tg.url); code == http.StatusOK {
			t.Errorf("after a 204 from %s the earlier download URL still serves the bytes", tg.name)
		}
		if status := c.Call("GET", "/v1/files/"+tg.id, nil, nil); status != http.StatusNotFound {
			t.Errorf("after %s: GET %d, want 404", tg.name, status)
		}
	}
}
