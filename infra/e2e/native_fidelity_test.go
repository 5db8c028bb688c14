package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/shared/auth"
)

// The native dialect tried as a Stainless-generated Lightfield client would
// use it (stainless_test.go), one test per point of Lightfield's published
// contract ("Errors", "Idempotency", "File uploads").

func TestNativeErrorsFollowLightfieldsTable(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	pending := c.Create("p.pdf", "application/pdf", len(pdfBytes), "")
	done := c.uploaded("d.pdf", "application/pdf", pdfBytes)
	c.WaitStatus(done.ID, "COMPLETED")
	// Complete assembles a multipart file's object itself, so its validation
	// is this request's to answer whatever the S3 event does: a
	// deterministic 422.
	invalid := c.uploadedInOnePart("i.pdf", "application/pdf", []byte("plain text, declared as a PDF\n"))
	create := func(over map[string]any) map[string]any {
		b := map[string]any{"filename": "a.pdf", "mimeType": "application/pdf", "sizeBytes": 10}
		for k, v := range over {
			b[k] = v
		}
		return b
	}
	for _, tc := range []struct {
		name             string
		method, path     string
		body             any
		headers          map[string]string
		status           int
		typ, code, param string
	}{
		{"filename", "POST", "/v1/files", create(map[string]any{"filename": ""}), nil, 400, "bad_request", "invalid_filename", "filename"},
		{"mimeType", "POST", "/v1/files", create(map[string]any{"mimeType": "pdf"}), nil, 400, "bad_request", "invalid_mime_type", "mimeType"},
		{"purpose", "POST", "/v1/files", create(map[string]any{"purpose": "nope"}), nil, 400, "bad_request", "invalid_purpose", "purpose"},
		{"type the purpose refuses", "POST", "/v1/files", create(map[string]any{"filename": "a.zip", "mimeType": "application/zip", "purpose": "knowledge_user"}), nil, 400, "bad_request", "type_not_allowed", "mimeType"},
		{"field of the wrong type", "POST", "/v1/files", create(map[string]any{"sizeBytes": "ten"}), nil, 400, "bad_request", "invalid_type", "sizeBytes"},
		{"missing field", "POST", "/v1/files", map[string]any{"filename": "a.pdf", "mimeType": "application/pdf"}, nil, 400, "bad_request", "parameter_missing", "sizeBytes"},
		{"limit", "GET", "/v1/files?limit=26", nil, nil, 400, "bad_request", "invalid_limit", "limit"},
		{"offset", "GET", "/v1/files?offset=-1", nil, nil, 400, "bad_request", "invalid_offset", "offset"},
		{"md5", "POST", "/v1/files/" + pending.ID + "/complete", map[string]any{"md5": "xyz"}, nil, 400, "bad_request", "invalid_md5", "md5"},
		{"Idempotency-Key", "POST", "/v1/files", create(nil), map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}, 400, "bad_request", "idempotency_key_too_long", "Idempotency-Key"},
		{"not found", "GET", "/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894", nil, nil, 404, "not_found", "not_found", ""},
		{"state conflict", "POST", "/v1/files/" + done.ID + "/cancel", map[string]any{}, nil, 409, "conflict", "invalid_state", ""},
		{"upload that fails validation", "POST", "/v1/files/" + invalid.ID + "/complete", map[string]any{}, nil, 422, "unprocessable_content", "type_mismatch", "mimeType"},
		{"wrong checksum of a COMPLETED file", "POST", "/v1/files/" + done.ID + "/complete", map[string]any{"md5": "0123456789abcdef0123456789abcdef"}, nil, 409, "conflict", "checksum_mismatch", "md5"},
		{"body that is not JSON", "POST", "/v1/files", "filename=a.pdf", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", "unsupported_media_type", "Content-Type"},
		{"JSON without a Content-Type", "POST", "/v1/files", create(nil), map[string]string{"Content-Type": ""}, 415, "unsupported_media_type", "unsupported_media_type", "Content-Type"},
		{"JSON labelled as text", "POST", "/v1/files/" + pending.ID + "/complete", map[string]any{}, map[string]string{"Content-Type": "text/plain"}, 415, "unsupported_media_type", "unsupported_media_type", "Content-Type"},
		{"body the server will not read", "POST", "/v1/files", create(map[string]any{"filename": strings.Repeat("a", 70<<10)}), nil, 413, "content_too_large", "body_too_large", ""},
		{"unknown method", "PUT", "/v1/files", nil, nil, 405, "method_not_allowed", "method_not_allowed", ""},
		{"unknown route", "GET", "/v1/folders", nil, nil, 404, "not_found", "not_found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sdk := &stainless{t: t, key: c.Key}
			r := sdk.do(tc.method, tc.path, tc.body, tc.headers)
			e := r.errorOf(t)
			if r.status != tc.status || e.Type != tc.typ || e.Code != tc.code || e.Param != tc.param || e.Message == "" {
				t.Errorf("%d %+v, want %d {type %s code %s param %q} with a message", r.status, e, tc.status, tc.typ, tc.code, tc.param)
			}
		})
	}
	readOnly := &stainless{t: t, key: newTenant(t, auth.ScopeRead).Key}
	if r := readOnly.do("POST", "/v1/files", create(nil), nil); r.status != 403 || r.errorOf(t).Type != "forbidden" {
		t.Errorf("create without files:create: %d %s", r.status, r.body)
	}
	// 401 comes from API Gateway's authorizer, in its own body
	// (docs/api.md "Answers from API Gateway").
	if r := (&stainless{t: t, key: "fgk_not-a-key"}).do("GET", "/v1/files", nil, nil); r.status != 401 || string(r.body) != "{\"message\":\"Unauthorized\"}\n" {
		t.Errorf("unknown key: %d %q, want API Gateway's 401", r.status, r.body)
	}
}

func TestSizeBoundsAreBadRequestsNamingTheLimit(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	sdk := &stainless{t: t, key: c.Key}
	for _, tc := range []struct {
		name    string
		size    int64
		purpose string
		code    string
	}{
		{"below 1", 0, "", "invalid_size"},
		{"above the configured maximum", 536870913, "", "too_large"},
		{"above the purpose's limit", 60 << 20, "meeting_transcript", "too_large_for_purpose"},
	} {
		body := map[string]any{"filename": "a.txt", "mimeType": "text/plain", "sizeBytes": tc.size}
		if tc.purpose != "" {
			body["purpose"] = tc.purpose
		}
		r := sdk.do("POST", "/v1/files", body, nil)
		if e := r.errorOf(t); r.status != 400 || e.Type != "bad_request" || e.Param != "sizeBytes" || e.Code != tc.code {
			t.Errorf("%s: %d %+v, want 400 bad_request param sizeBytes code %s", tc.name, r.status, e, tc.code)
		}
	}
	// The bound itself is accepted (Lightfield's schema: maximum 536870912).
	if r := sdk.do("POST", "/v1/files", map[string]any{"filename": "a.bin", "mimeType": "application/octet-stream", "sizeBytes": 536870912}, nil); r.status != 200 {
		t.Errorf("sizeBytes 536870912: %d %s", r.status, r.body)
	}
}

func TestIdempotencyKeysAsLightfieldDocumentsThem(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	sdk := &stainless{t: t, key: c.Key}
	key := func(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }

	// Scoped to the operation on its resource: cancel of B is not cancel of A.
	a, b := c.Create("a.pdf", "application/pdf", 10, ""), c.Create("b.pdf", "application/pdf", 10, "")
	for _, f := range []filegate.File{a, b} {
		r := sdk.do("POST", "/v1/files/"+f.ID+"/cancel", map[string]any{}, key("cancel-K"))
		var got filegate.File
		json.Unmarshal(r.body, &got)
		if r.status != 200 || got.ID != f.ID || got.Status != "CANCELLED" {
			t.Errorf("cancel %s with the shared key: %d %s", f.ID, r.status, r.body)
		}
	}

	// A failed request is not stored: the retry with the same key re-attempts.
	f := c.Create("late.pdf", "application/pdf", len(pdfBytes), "")
	early := (&stainless{t: t, key: c.Key}).do("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, key("complete-K"))
	if e := early.errorOf(t); early.status != 409 || e.Code != "upload_missing" {
		t.Fatalf("complete before the PUT: %d %+v", early.status, e)
	}
	if st := put(t, f.UploadURL, f.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("PUT: %d", st)
	}
	r := sdk.do("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, key("complete-K"))
	var completed filegate.File
	json.Unmarshal(r.body, &completed)
	if r.status != 200 || completed.Status != "COMPLETED" || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("complete after the PUT, same key: %d %s (replayed %q)", r.status, r.body, r.header.Get("Idempotent-Replayed"))
	}
	// ... and a success is stored: the same call again is a replay.
	if again := sdk.do("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, key("complete-K")); again.status != 200 || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("complete again with the key: %d replayed=%q", again.status, again.header.Get("Idempotent-Replayed"))
	}

	// Read-only POSTs are not cached: the same query with the same key sees new files.
	query := func() (int, int, string) {
		body, _ := json.Marshal(map[string]any{"filter": map[string]any{}, "page_size": 100})
		req, _ := http.NewRequest("POST", stack.APIURL+"/api/v1/beta/files/query", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+c.Key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "query-K")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var page struct{ Items []json.RawMessage }
		json.NewDecoder(resp.Body).Decode(&page)
		return resp.StatusCode, len(page.Items), resp.Header.Get("Idempotent-Replayed")
	}
	st1, n1, _ := query()
	c.WaitStatus(c.uploaded("more.pdf", "application/pdf", pdfBytes).ID, "COMPLETED")
	st2, n2, replayed := query()
	if st1 != 200 || st2 != 200 || n2 != n1+1 || replayed != "" {
		t.Errorf("query twice with one key: %d/%d items %d then %d, replayed %q", st1, st2, n1, n2, replayed)
	}
}

func TestTheFourDocumentedPurposesAreAccepted(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	text := []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n")
	for _, purpose := range []string{"meeting_transcript", "knowledge_user", "knowledge_workspace", "email_attachment"} {
		f := c.Create("notes.txt", "text/plain", len(text), purpose)
		if st := put(t, f.UploadURL, f.UploadHeaders, text); st != http.StatusOK {
			t.Fatalf("%s: PUT %d", purpose, st)
		}
		var got filegate.File
		if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, &got); st != http.StatusOK || got.Status != "COMPLETED" {
			t.Errorf("%s: complete %d %+v", purpose, st, got)
		}
	}
}

func TestLightfieldVersionIsAcceptedWhateverItSays(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	for _, v := range []string{lightfieldVersion, "2099-12-31", "not-a-date"} {
		sdk := &stainless{t: t, key: c.Key, version: v}
		if r := sdk.do("POST", "/v1/files", map[string]any{"filename": "v.pdf", "mimeType": "application/pdf", "sizeBytes": 10}, nil); r.status != 200 {
			t.Errorf("Lightfield-Version %q: %d %s", v, r.status, r.body)
		}
	}
}

func TestStainlessRetriesOnlyWhatCanSucceed(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	sdk := &stainless{t: t, key: c.Key}
	done := c.uploaded("d.pdf", "application/pdf", pdfBytes)
	c.WaitStatus(done.ID, "COMPLETED")

	// Permanent: a state conflict surfaces after one request.
	r := sdk.do("POST", "/v1/files/"+done.ID+"/cancel", map[string]any{}, nil)
	if r.status != 409 || r.attempts != 1 || r.header.Get("X-Should-Retry") != "false" {
		t.Errorf("cancel a COMPLETED file: %d after %d requests, x-should-retry %q", r.status, r.attempts, r.header.Get("X-Should-Retry"))
	}
	// Permanent: a key reused with another body.
	k := map[string]string{"Idempotency-Key": "reused"}
	sdk.do("POST", "/v1/files", map[string]any{"filename": "one.pdf", "mimeType": "application/pdf", "sizeBytes": 10}, k)
	r = sdk.do("POST", "/v1/files", map[string]any{"filename": "two.pdf", "mimeType": "application/pdf", "sizeBytes": 10}, k)
	if e := r.errorOf(t); r.status != 409 || e.Type != "conflict" || e.Code != "idempotency_key_reused" || r.attempts != 1 || r.header.Get("X-Should-Retry") != "false" {
		t.Errorf("key reused with another body: %d %+v after %d requests", r.status, e, r.attempts)
	}
	// Transient: complete before the bytes arrive says when to come back;
	// the bytes land meanwhile, and the SDK's retry completes the file.
	f := c.Create("slow.pdf", "application/pdf", len(pdfBytes), "")
	slow := &stainless{t: t, key: c.Key, onAttempt: func(n, status int, h http.Header) {
		if n == 1 {
			if status != 409 || h.Get("Retry-After") == "" || h.Get("X-Should-Retry") == "false" {
				t.Errorf("complete before the PUT: %d, Retry-After %q, x-should-retry %q", status, h.Get("Retry-After"), h.Get("X-Should-Retry"))
			}
			put(t, f.UploadURL, f.UploadHeaders, pdfBytes)
		}
	}}
	r = slow.do("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, nil)
	var got filegate.File
	json.Unmarshal(r.body, &got)
	if r.status != 200 || got.Status != "COMPLETED" || r.attempts != 2 {
		t.Errorf("complete racing the PUT: %d %s after %d requests", r.status, r.body, r.attempts)
	}
}

func TestUnknownRoutesAnswerInTheirDialect(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	f := c.uploaded("r.pdf", "application/pdf", pdfBytes)
	c.WaitStatus(f.ID, "COMPLETED")
	send := func(method, path, key string) (int, http.Header, []byte) {
		res := (&stainless{t: t, key: key}).do(method, path, nil, nil)
		return res.status, res.header, res.body
	}
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
		body         string // compat: the exact FastAPI body
		typ          string // native: the error type
	}{
		{"GET", "/v1/folders", 404, "", "", "not_found"},
		{"PUT", "/v1/files", 405, "GET, POST", "", "method_not_allowed"},
		{"PATCH", "/v1/files/" + f.ID, 405, "DELETE, GET", "", "method_not_allowed"},
		{"GET", "/", 404, "", "", "not_found"},
		{"GET", "/api/v1/beta/folders", 404, "", `{"detail":"Not Found"}`, ""},
		{"PUT", "/api/v1/beta/files/" + f.ID, 405, "DELETE, GET", `{"detail":"Method Not Allowed"}`, ""},
	} {
		st, h, body := send(tc.method, tc.path, c.Key)
		ok := st == tc.status && h.Get("Allow") == tc.allow && strings.HasPrefix(h.Get("Content-Type"), "application/json")
		if tc.typ != "" {
			var e struct{ Error nativeError }
			ok = ok && json.Unmarshal(body, &e) == nil && e.Error.Type == tc.typ && e.Error.Message != ""
		} else {
			ok = ok && strings.TrimSpace(string(body)) == tc.body
		}
		if !ok {
			t.Errorf("%s %s: %d Allow %q %s", tc.method, tc.path, st, h.Get("Allow"), body)
		}
	}
	// The routes themselves still answer, and without a key the gateway's
	// authorizer answers first, in its own body.
	if st, _, _ := send("GET", "/v1/files/"+f.ID, c.Key); st != 200 {
		t.Errorf("GET a file: %d", st)
	}
	if st, _, body := send("GET", "/v1/folders", ""); st != 401 || !strings.Contains(string(body), `"message"`) {
		t.Errorf("unknown route without a key: %d %s", st, body)
	}
}

func TestBrowserPreflightsThroughTheGateway(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	origin := stack.Template.APICORS.AllowOrigins[0]
	for _, tc := range []struct{ method, path string }{
		{"POST", "/v1/files"},
		{"POST", "/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894/complete"},
		{"DELETE", "/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894"},
		{"GET", "/v1/files"},
		{"POST", "/api/v1/beta/files"},
		{"GET", "/v1/no-such-route"},
	} {
		req, _ := http.NewRequest("OPTIONS", stack.APIURL+tc.path, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", tc.method)
		req.Header.Set("Access-Control-Request-Headers", strings.Join(stainlessHeaders, ","))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// What a browser checks before it sends the real request.
		h := resp.Header
		allowed := listed(h.Get("Access-Control-Allow-Headers"))
		var missing []string
		for _, name := range stainlessHeaders {
			if !allowed[name] && !allowed["*"] {
				missing = append(missing, name)
			}
		}
		if resp.StatusCode/100 != 2 || h.Get("Access-Control-Allow-Origin") != origin || !listed(h.Get("Access-Control-Allow-Methods"))[strings.ToLower(tc.method)] || len(missing) > 0 {
			t.Errorf("preflight %s %s: %d allow-origin %q allow-methods %q, headers not allowed: %v",
				tc.method, tc.path, resp.StatusCode, h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Methods"), missing)
		}
	}
	// The real request: the browser may read the retry headers.
	req, _ := http.NewRequest("POST", stack.APIURL+"/v1/files", strings.NewReader(`{"filename":"","mimeType":"application/pdf","sizeBytes":1}`))
	req.Header.Set("Origin", origin)
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	exposed := listed(resp.Header.Get("Access-Control-Expose-Headers"))
	if resp.StatusCode != 400 || resp.Header.Get("Access-Control-Allow-Origin") != origin ||
		!exposed["x-should-retry"] || !exposed["retry-after"] || !exposed["idempotent-replayed"] {
		t.Errorf("CORS response: %d allow-origin %q expose %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Expose-Headers"))
	}
	// Another origin gets no grant.
	req, _ = http.NewRequest("GET", stack.APIURL+"/v1/files", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Authorization", "Bearer "+c.Key)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign origin: %d allow-origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

// listed reads a comma-separated header list, lower-cased.
func listed(v string) map[string]bool {
	out := map[string]bool{}
	for _, s := range strings.Split(v, ",") {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			out[s] = true
		}
	}
	return out
}

func TestGatewayRefusesOversizedHeadersInJSON(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	for _, tc := range []struct {
		name   string
		extra  int // bytes of an extra header value
		status int
	}{
		{"well under 10,240 bytes", 8 << 10, 200},
		{"just over 10,240 bytes", 10240, 431},
		{"far over (past net/http's own 1 MiB)", 2 << 20, 431},
	} {
		req, _ := http.NewRequest("GET", stack.APIURL+"/v1/files", nil)
		req.Header.Set("Authorization", "Bearer "+c.Key)
		req.Header.Set("X-Padding", strings.Repeat("p", tc.extra))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var body struct{ Message string }
		decodeErr := json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || decodeErr != nil || (tc.status == 431 && body.Message == "") {
			t.Errorf("%s: %d %+v (%v), want %d in JSON", tc.name, resp.StatusCode, body, decodeErr, tc.status)
		}
	}
}

// A retry is the same request whatever its JSON looks like: Lightfield's SDKs
// send a bodiless cancel as {}, other clients send nothing, re-encode with
// other spacing or key order; each gets the stored answer.
func TestIdempotencyComparesJSONNotBytes(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	sdk := &stainless{t: t, key: c.Key}
	f := c.Create("c.pdf", "application/pdf", 10, "")
	key := map[string]string{"Idempotency-Key": "cancel-once"}
	first := sdk.do("POST", "/v1/files/"+f.ID+"/cancel", nil, key)
	second := sdk.do("POST", "/v1/files/"+f.ID+"/cancel", map[string]any{}, key)
	if first.status != 200 || second.status != 200 || second.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("cancel without a body, then with {}: %d, then %d %s (replayed %q)", first.status, second.status, second.body, second.header.Get("Idempotent-Replayed"))
	}
	raw := func(body string) reply {
		return sdk.do("POST", "/v1/files", json.RawMessage(body), map[string]string{"Idempotency-Key": "create-once"})
	}
	a := raw(`{"filename":"o.pdf","mimeType":"application/pdf","sizeBytes":10}`)
	b := raw(`{"sizeBytes":10,"mimeType":"application/pdf","filename":"o.pdf"}`)
	var fa, fb filegate.File
	json.Unmarshal(a.body, &fa)
	json.Unmarshal(b.body, &fb)
	if a.status != 200 || b.status != 200 || fa.ID == "" || fa.ID != fb.ID || b.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the same create with its keys in another order: %d %s, then %d %s", a.status, a.body, b.status, b.body)
	}
	// Spacing: sent as is (the SDK's encoder would compact it).
	req, _ := http.NewRequest("POST", stack.APIURL+"/v1/files", strings.NewReader("{ \"filename\": \"o.pdf\",\n  \"mimeType\": \"application/pdf\", \"sizeBytes\": 10 }"))
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Idempotency-Key", "create-once")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the same create with other spacing: %d (replayed %q)", resp.StatusCode, resp.Header.Get("Idempotent-Replayed"))
	}
	var l struct{ Data []filegate.File }
	if c.Call("GET", "/v1/files", nil, &l); len(l.Data) != 2 {
		t.Errorf("%d files, want the two created", len(l.Data))
	}
}
