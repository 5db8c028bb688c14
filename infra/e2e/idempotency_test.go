package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/idempotency"
)

// postWithKey sends a JSON POST with an Idempotency-Key.
func (c *tenant) postWithKey(path, key string, body any) (int, []byte, http.Header) {
	c.T.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", stack.APIURL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.T.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header
}

func TestIdempotencyKeyReplaysAndConflicts(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	body := map[string]any{"filename": "i.pdf", "mimeType": "application/pdf", "sizeBytes": 10}
	st1, first, _ := c.postWithKey("/v1/files", "create-1", body)
	st2, second, h := c.postWithKey("/v1/files", "create-1", body)
	// The same file; its upload URL is signed anew (TestReplayedCreateSignsAFreshUploadURL).
	var a, b filegate.File
	json.Unmarshal(first, &a)
	json.Unmarshal(second, &b)
	if st1 != http.StatusOK || st2 != http.StatusOK || a.ID == "" || a.ID != b.ID || a.CreatedAt != b.CreatedAt || h.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %d, files %s / %s, replayed header %q", st1, st2, a.ID, b.ID, h.Get("Idempotent-Replayed"))
	}
	var l struct{ TotalCount int }
	if c.Call("GET", "/v1/files", nil, &l); l.TotalCount != 1 {
		t.Fatalf("a replayed create made %d files", l.TotalCount)
	}
	other := map[string]any{"filename": "j.pdf", "mimeType": "application/pdf", "sizeBytes": 10}
	st, raw, _ := c.postWithKey("/v1/files", "create-1", other)
	if st != http.StatusConflict || !strings.Contains(string(raw), "idempotency_key_reused") {
		t.Fatalf("same key, other body: %d %s", st, raw)
	}
	// Scoped per operation and per project: the same key elsewhere is new.
	var f filegate.File
	json.Unmarshal(first, &f)
	if st, _, _ := c.postWithKey("/v1/files/"+f.ID+"/cancel", "create-1", map[string]any{}); st != http.StatusOK {
		t.Fatalf("same key on another operation: %d", st)
	}
	if st, _, _ := newTenant(t).postWithKey("/v1/files", "create-1", other); st != http.StatusOK {
		t.Fatalf("same key in another project: %d", st)
	}
	if st, _, _ := c.postWithKey("/v1/files", strings.Repeat("k", 256), body); st != http.StatusBadRequest {
		t.Fatalf("256-character key: %d", st)
	}
}

func TestIdempotencyKeyUnderConcurrency(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	body := map[string]any{"filename": "k.pdf", "mimeType": "application/pdf", "sizeBytes": 10}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[string]bool{}
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, raw, _ := c.postWithKey("/v1/files", "race", body)
			var f filegate.File
			switch st {
			case http.StatusOK:
				json.Unmarshal(raw, &f)
				mu.Lock()
				ids[f.ID] = true
				mu.Unlock()
			case http.StatusConflict:
			default:
				t.Errorf("concurrent same-key create: %d %s", st, raw)
			}
		}()
	}
	wg.Wait()
	var l struct{ TotalCount int }
	if c.Call("GET", "/v1/files", nil, &l); l.TotalCount != 1 || len(ids) != 1 {
		t.Fatalf("10 concurrent creates with one key made %d files (%d ids)", l.TotalCount, len(ids))
	}
}

func TestIdempotencyKeyOnCompatUpload(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	upload := func(key string) (int, map[string]any) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "idem.pdf")
		fw.Write(pdfBytes)
		mw.WriteField("purpose", "parse")
		mw.Close()
		req, _ := http.NewRequest("POST", stack.APIURL+"/api/v1/beta/files", &body)
		req.Header.Set("Authorization", "Bearer "+c.Key)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	st1, first := upload("upload-1")
	st2, second := upload("upload-1")
	if st1 != http.StatusOK || st2 != http.StatusOK || first["id"] == nil || first["id"] != second["id"] {
		t.Fatalf("compat upload replay: %d %v / %d %v", st1, first["id"], st2, second["id"])
	}
	var l struct{ TotalCount int }
	if c.Call("GET", "/v1/files", nil, &l); l.TotalCount != 1 {
		t.Fatalf("a replayed upload made %d files", l.TotalCount)
	}
}

// TestIdempotencyKeysExpireAfter24Hours runs the key store production uses
// (DynamoDB) with a clock it controls: DynamoDB TTL deletes expired records
// lazily (often days later; DynamoDB Local never), so a record past its
// 24 hours must read as gone while it is still in the table.
func TestIdempotencyKeysExpireAfter24Hours(t *testing.T) {
	t.Parallel()
	now := time.Now()
	keys := &idempotency.Keys{
		Store: dynamostore.NewIdempotency(dynamo.NewFromIface(stack.DynamoClient()), localstack.TableName),
		Now:   func() time.Time { return now },
	}
	runs := 0
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs++
		w.WriteHeader(http.StatusOK)
	})
	scope := apitest.NewUUID() + "#POST /v1/files"
	serve := func() *httptest.ResponseRecorder {
		rr := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/v1/files", strings.NewReader(`{}`))
		r.Header.Set(idempotency.Header, "day-old")
		if err := keys.Serve(rr, r, scope, idempotency.ReplayStored, handler); err != nil {
			t.Fatal(err)
		}
		return rr
	}
	serve()
	now = now.Add(24*time.Hour - time.Minute)
	if rr := serve(); runs != 1 || rr.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("within 24 h: %d runs, replayed %q", runs, rr.Header().Get("Idempotent-Replayed"))
	}
	now = now.Add(2 * time.Minute)
	if rr := serve(); runs != 2 || rr.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("after 24 h: %d runs, replayed %q; the key must be new again", runs, rr.Header().Get("Idempotent-Replayed"))
	}
}

// TestIdempotencyFingerprintCoversEachPartsType: a retry that declares the
// file as another type is another request (the type changes the outcome).
func TestIdempotencyFingerprintCoversEachPartsType(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	upload := func(partType string) (int, []byte) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="typed.txt"`)
		h.Set("Content-Type", partType)
		fw, _ := mw.CreatePart(h)
		fw.Write([]byte("plain words, nothing else\n"))
		mw.WriteField("purpose", "user_data")
		mw.Close()
		req, _ := http.NewRequest("POST", stack.APIURL+"/api/v1/beta/files", &body)
		req.Header.Set("Authorization", "Bearer "+c.Key)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Idempotency-Key", "typed")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, raw
	}
	if st, raw := upload("text/plain"); st != http.StatusOK {
		t.Fatalf("first upload: %d %s", st, raw)
	}
	if st, raw := upload("text/markdown"); st != http.StatusConflict || !strings.Contains(string(raw), "different request") {
		t.Fatalf("same key, the part declared as another type: %d %s, want 409 (not a replay)", st, raw)
	}
}
