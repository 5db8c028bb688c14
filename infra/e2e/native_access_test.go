package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

func TestSessionPastLifetimeReadsExpired(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	// A service on the same table and bucket with a 1 s session lifetime.
	short := serviceWith(realObjects(), files.Config{UploadURLTTL: time.Second})
	created, err := short.Create(context.Background(), files.CreateInput{ProjectID: c.ProjectID, Declared: files.Declared{Filename: "late.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBytes))}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	var f filegate.File
	if st := c.Call("GET", "/v1/files/"+created.File.ID.String(), nil, &f); st != http.StatusOK || f.Status != "EXPIRED" || f.ExpiresAt != nil {
		t.Fatalf("after the session lifetime: %d %+v", st, f)
	}
	headers := map[string]string{}
	for k := range created.Upload.Headers {
		headers[k] = created.Upload.Headers.Get(k)
	}
	if st := put(t, created.Upload.URL, headers, pdfBytes); st < 400 {
		t.Fatalf("PUT after the session ended: %d, want refusal", st)
	}
	var e apitest.ErrorEnvelope
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", nil, &e); st != http.StatusConflict {
		t.Fatalf("complete an expired session: %d %+v", st, e)
	}
	if st := c.Call("POST", "/v1/files/"+f.ID+"/cancel", nil, &e); st != http.StatusConflict {
		t.Fatalf("cancel an expired session: %d %+v", st, e)
	}
}

func TestListPagesNewestFirst(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	var ids []string
	for i := 0; i < 27; i++ {
		ids = append(ids, c.Create("f.pdf", "application/pdf", 10, "").ID)
	}
	c.waitCounts(27, 0) // totalCount follows the stream (eventually consistent)
	var got []string
	for offset := 0; offset < 30; offset += 10 {
		var l struct {
			Object     string          `json:"object"`
			Data       []filegate.File `json:"data"`
			TotalCount int             `json:"totalCount"`
		}
		if st := c.Call("GET", "/v1/files?limit=10&offset="+strconv.Itoa(offset), nil, &l); st != http.StatusOK || l.Object != "list" || l.TotalCount != 27 {
			t.Fatalf("offset %d: %d object=%q totalCount=%d", offset, st, l.Object, l.TotalCount)
		}
		for _, f := range l.Data {
			got = append(got, f.ID)
		}
	}
	if len(got) != 27 {
		t.Fatalf("paged %d files, want 27", len(got))
	}
	for i, id := range got {
		if id != ids[26-i] {
			t.Fatalf("item %d is %s, want %s (newest first)", i, id, ids[26-i])
		}
	}
	var l struct{ Data []filegate.File }
	if c.Call("GET", "/v1/files", nil, &l); len(l.Data) != 25 {
		t.Fatalf("default limit returned %d, want 25", len(l.Data))
	}
	for _, q := range []string{"limit=26", "limit=0", "limit=x", "offset=-1", "offset=1.5"} {
		var e apitest.ErrorEnvelope
		if st := c.Call("GET", "/v1/files?"+q, nil, &e); st != http.StatusBadRequest || e.Error.Type != "bad_request" {
			t.Errorf("%s: %d %+v", q, st, e)
		}
	}
}

// An offset past the shortest walk (100) is found through the position
// counts the counter consumer keeps: through the stack's IAM gate, the
// consumer may write them and the list function read them, and the page is
// the one a walk would give.
func TestListDeepOffsetThroughThePositionCounts(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	const n = 130
	var ids []string
	for range n {
		ids = append(ids, c.Create("f.pdf", "application/pdf", 10, "").ID)
	}
	c.waitCounts(n, 0)
	for _, offset := range []int{101, 117, n - 10, n - 3} {
		var l struct {
			Data       []filegate.File `json:"data"`
			TotalCount int             `json:"totalCount"`
		}
		if st := c.Call("GET", "/v1/files?limit=10&offset="+strconv.Itoa(offset), nil, &l); st != http.StatusOK || l.TotalCount != n {
			t.Fatalf("offset %d: %d totalCount=%d", offset, st, l.TotalCount)
		}
		if want := min(10, n-offset); len(l.Data) != want {
			t.Fatalf("offset %d: %d files, want %d", offset, len(l.Data), want)
		}
		for i, f := range l.Data {
			if want := ids[n-1-offset-i]; f.ID != want {
				t.Fatalf("offset %d, item %d is %s, want %s (newest first)", offset, i, f.ID, want)
			}
		}
	}
}

func TestAuthAndTenantIsolation(t *testing.T) {
	t.Parallel()
	a, b := newTenant(t), newTenant(t)
	bFile := b.uploaded("b.pdf", "application/pdf", pdfBytes)
	b.WaitStatus(bFile.ID, "COMPLETED")

	if st := call(t, "", "GET", "/v1/files", nil, nil); st != http.StatusUnauthorized {
		t.Errorf("no key: %d", st)
	}
	if st := call(t, "fgk_not-a-key", "GET", "/v1/files", nil, nil); st != http.StatusUnauthorized {
		t.Errorf("unknown key: %d", st)
	}
	readOnly := newTenant(t, auth.ScopeRead)
	var e apitest.ErrorEnvelope
	if st := readOnly.Call("POST", "/v1/files", map[string]any{"filename": "x.pdf", "mimeType": "application/pdf", "sizeBytes": 1}, &e); st != http.StatusForbidden || e.Error.Type != "forbidden" {
		t.Errorf("create without files:create: %d %+v", st, e)
	}
	if st := readOnly.Call("GET", "/v1/files", nil, nil); st != http.StatusOK {
		t.Errorf("list with files:read: %d", st)
	}
	writeOnly := newTenant(t, auth.ScopeCreate)
	if st := writeOnly.Call("GET", "/v1/files", nil, nil); st != http.StatusForbidden {
		t.Errorf("list without files:read: %d", st)
	}

	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/files/" + bFile.ID},
		{"GET", "/v1/files/" + bFile.ID + "/url"},
		{"POST", "/v1/files/" + bFile.ID + "/complete"},
		{"POST", "/v1/files/" + bFile.ID + "/cancel"},
		{"DELETE", "/v1/files/" + bFile.ID},
	} {
		if st := a.Call(r.method, r.path, nil, &e); st != http.StatusNotFound || e.Error.Type != "not_found" {
			t.Errorf("A: %s %s of B's file: %d %+v", r.method, r.path, st, e)
		}
	}
	var l struct {
		Data       []filegate.File
		TotalCount int
	}
	a.Call("GET", "/v1/files", nil, &l)
	if len(l.Data) != 0 || l.TotalCount != 0 {
		t.Errorf("A's list shows %d files (total %d)", len(l.Data), l.TotalCount)
	}
	if st := b.Call("GET", "/v1/files/"+bFile.ID, nil, nil); st != http.StatusOK {
		t.Errorf("B lost its own file: %d", st)
	}
}

func TestBadInputIsA4xxWithAMessage(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	for _, tc := range []struct {
		name   string
		body   any
		status int
	}{
		{"not JSON", "{", http.StatusBadRequest},
		{"wrong type", map[string]any{"filename": "a.pdf", "mimeType": "application/pdf", "sizeBytes": "ten"}, http.StatusBadRequest},
		{"fractional size", map[string]any{"filename": "a.pdf", "mimeType": "application/pdf", "sizeBytes": 1.5}, http.StatusBadRequest},
		{"zero size", map[string]any{"filename": "a.pdf", "mimeType": "application/pdf", "sizeBytes": 0}, http.StatusBadRequest},
		// A declared size past the bound is a bad request (docs/ARCHITECTURE.md "Limits and lifetimes"): 413 is
		// only for bodies the server will not read.
		{"too large", map[string]any{"filename": "a.pdf", "mimeType": "application/pdf", "sizeBytes": int64(1) << 40}, http.StatusBadRequest},
		{"empty filename", map[string]any{"filename": "", "mimeType": "application/pdf", "sizeBytes": 1}, http.StatusBadRequest},
		{"long filename", map[string]any{"filename": strings.Repeat("a", 256), "mimeType": "application/pdf", "sizeBytes": 1}, http.StatusBadRequest},
		{"control character", map[string]any{"filename": "a\x00.pdf", "mimeType": "application/pdf", "sizeBytes": 1}, http.StatusBadRequest},
		{"bad mime type", map[string]any{"filename": "a.pdf", "mimeType": "pdf", "sizeBytes": 1}, http.StatusBadRequest},
		{"unknown purpose", map[string]any{"filename": "a.pdf", "mimeType": "application/pdf", "sizeBytes": 1, "purpose": "nope"}, http.StatusBadRequest},
		{"type the purpose refuses", map[string]any{"filename": "a.zip", "mimeType": "application/zip", "sizeBytes": 1, "purpose": "knowledge_user"}, http.StatusBadRequest},
	} {
		var e apitest.ErrorEnvelope
		if st := c.Call("POST", "/v1/files", tc.body, &e); st != tc.status || e.Error.Message == "" {
			t.Errorf("%s: %d %+v, want %d with a message", tc.name, st, e, tc.status)
		}
	}
	var l struct{ TotalCount int }
	if c.Call("GET", "/v1/files", nil, &l); l.TotalCount != 0 {
		t.Errorf("refused creates left %d records", l.TotalCount)
	}
	for _, id := range []string{"nope", "fil_x", "fil_06H0EN1ZAP202AP5WPNPHXF894"} {
		if st := c.Call("GET", "/v1/files/"+id, nil, nil); st != http.StatusNotFound {
			t.Errorf("GET %s: %d", id, st)
		}
	}
}
