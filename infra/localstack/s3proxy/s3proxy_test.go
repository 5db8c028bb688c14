package s3proxy

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// laxStore behaves as MinIO does where S3 is stricter: it accepts any
// request, and allows every origin with its own CORS headers.
type laxStore struct {
	hits  int
	hosts []string
}

func (l *laxStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.hits++
	l.hosts = append(l.hosts, r.Host)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Methods", "GET, PUT, DELETE, POST")
	w.Header().Set("Vary", "Origin")
	w.Header().Set("ETag", `"abc"`)
	w.WriteHeader(http.StatusOK)
}

var testRules = []samtemplate.CORSRule{{
	AllowedMethods: []string{"PUT", "GET", "HEAD"},
	AllowedHeaders: []string{"content-type", "content-length", "if-none-match", "x-amz-checksum-sha256", "x-amz-*"},
	ExposedHeaders: []string{"ETag"},
	MaxAge:         3000,
}}

func startProxy(t *testing.T, origins ...string) (*httptest.Server, *laxStore) {
	t.Helper()
	store := &laxStore{}
	backend := httptest.NewServer(store)
	t.Cleanup(backend.Close)
	target, _ := url.Parse(backend.URL)
	rules := append([]samtemplate.CORSRule{}, testRules...)
	rules[0].AllowedOrigins = origins
	proxy := httptest.NewServer(NewS3Proxy(target, rules, slog.New(slog.DiscardHandler)))
	t.Cleanup(proxy.Close)
	return proxy, store
}

func do(t *testing.T, method, u string, headers map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

const presigned = "/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=k%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bif-none-match%3Bx-amz-checksum-sha256&X-Amz-Signature=00"

func TestS3ProxyRefusesUnsignedAmzHeaders(t *testing.T) {
	proxy, store := startProxy(t, "https://app.example")
	for _, tc := range []struct {
		name    string
		path    string
		headers map[string]string
		status  int
	}{
		{"presigned, signed headers only", presigned, map[string]string{"Content-Type": "application/pdf", "If-None-Match": "*", "x-amz-checksum-sha256": "abc="}, http.StatusOK},
		{"presigned, unsigned Content-Encoding (S3 stores it; validation refuses it)", presigned, map[string]string{"Content-Encoding": "gzip"}, http.StatusOK},
		{"presigned, unsigned x-amz-tagging", presigned, map[string]string{"x-amz-tagging": "a=b"}, http.StatusForbidden},
		{"presigned, unsigned X-Amz-Storage-Class", presigned, map[string]string{"X-Amz-Storage-Class": "GLACIER"}, http.StatusForbidden},
		{"presigned, unsigned user metadata", presigned, map[string]string{"x-amz-meta-owner": "m"}, http.StatusForbidden},
		{"header-signed (SigV4 covers every x-amz-* there)", "/bucket/key", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date;x-amz-meta-a, Signature=00", "x-amz-meta-a": "b"}, http.StatusOK},
	} {
		before := store.hits
		resp := do(t, http.MethodPut, proxy.URL+tc.path, tc.headers)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
		if forwarded := store.hits > before; forwarded != (tc.status == http.StatusOK) {
			t.Errorf("%s: forwarded %v", tc.name, forwarded)
		}
	}
	// The signature covers the proxy's host; storage must see that host.
	if host := store.hosts[len(store.hosts)-1]; host != strings.TrimPrefix(proxy.URL, "http://") {
		t.Errorf("storage saw Host %q, want the proxy's %q", host, proxy.URL)
	}
}

func TestS3ProxyAppliesBucketCORS(t *testing.T) {
	proxy, store := startProxy(t, "https://app.example", "http://*.local.test")
	preflight := func(origin, method, headers string) *http.Response {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		return do(t, http.MethodOptions, proxy.URL+"/bucket/key", h)
	}
	for _, tc := range []struct {
		name, origin, method, headers string
		ok                            bool
	}{
		{"allowed origin, method and headers", "https://app.example", "PUT", "content-type,if-none-match", true},
		{"a header matching x-amz-*", "https://app.example", "PUT", "x-amz-meta-a", true},
		{"a wildcard origin", "http://ui.local.test", "GET", "", true},
		{"another origin", "https://evil.example", "PUT", "content-type", false},
		{"a method no rule allows", "https://app.example", "DELETE", "", false},
		{"a header no rule allows", "https://app.example", "PUT", "content-type,x-custom", false},
	} {
		resp := preflight(tc.origin, tc.method, tc.headers)
		allowed := resp.Header.Get("Access-Control-Allow-Origin")
		switch {
		case tc.ok && (resp.StatusCode != http.StatusOK || allowed != tc.origin || resp.Header.Get("Access-Control-Max-Age") != "3000"):
			t.Errorf("%s: %d, Allow-Origin %q, Max-Age %q", tc.name, resp.StatusCode, allowed, resp.Header.Get("Access-Control-Max-Age"))
		case !tc.ok && (resp.StatusCode != http.StatusForbidden || allowed != ""):
			t.Errorf("%s: %d, Allow-Origin %q; want 403 without CORS headers", tc.name, resp.StatusCode, allowed)
		}
	}
	if store.hits != 0 {
		t.Errorf("preflights reached storage %d times; S3 answers them itself", store.hits)
	}

	// Actual requests: CORS headers for an allowed origin only, never MinIO's own.
	resp := do(t, http.MethodGet, proxy.URL+"/bucket/key", map[string]string{"Origin": "https://app.example"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || resp.Header.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Errorf("GET from an allowed origin: %v", resp.Header)
	}
	for _, origin := range []string{"https://evil.example", ""} {
		resp := do(t, http.MethodGet, proxy.URL+"/bucket/key", map[string]string{"Origin": origin})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("GET from origin %q: %d %v; want the object without CORS headers", origin, resp.StatusCode, resp.Header)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"x-amz-*", "x-amz-meta-a", true},
		{"x-amz-*", "x-amz-", true},
		{"x-amz-*", "content-type", false},
		{"http://*.example", "http://a.example", true},
		{"http://*.example", "http://example", false},
		{"https://app.example", "https://app.example", true},
		{"https://app.example", "https://app.example.evil", false},
	} {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}

// The bucket's CORS rules come from template.yaml with their origins
// resolved from the AllowedOrigins parameter, which the stack's options can
// replace for the API and the bucket alike.
func TestTemplateBucketCORS(t *testing.T) {
	tpl, err := samtemplate.ReadTemplate("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.BucketCORS) == 0 || !slices.Contains(tpl.BucketCORS[0].AllowedMethods, "PUT") || len(tpl.BucketCORS[0].AllowedOrigins) == 0 || strings.Contains(strings.Join(tpl.BucketCORS[0].AllowedOrigins, ","), "AllowedOrigins") {
		t.Fatalf("bucket CORS %+v: want rules with origins resolved from the parameter's default", tpl.BucketCORS)
	}
	tpl.SetAllowedOrigins([]string{"http://127.0.0.1:5173"})
	if got := tpl.BucketCORS[0].AllowedOrigins; len(got) != 1 || got[0] != "http://127.0.0.1:5173" || tpl.APICORS == nil || tpl.APICORS.AllowOrigins[0] != "http://127.0.0.1:5173" {
		t.Fatalf("after SetAllowedOrigins: bucket %v, API %+v", got, tpl.APICORS)
	}
}

// TestS3ProxyRefusesMinIOExtensions: S3 has no x-minio-* headers, query
// parameters or /minio/ APIs; MinIO acts on them (x-minio-source-etag sets
// the stored ETag, x-minio-meta-* is stored and served, x-minio-source-mtime
// sets Last-Modified, x-minio-extract reads inside a zip, ?events streams a
// bucket's notifications). The proxy refuses every one, on presigned and
// header-signed requests alike, before MinIO sees it.
func TestS3ProxyRefusesMinIOExtensions(t *testing.T) {
	proxy, store := startProxy(t, "https://app.example")
	headerSigned := map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"}
	with := func(base map[string]string, k, v string) map[string]string {
		h := map[string]string{k: v}
		for name, value := range base {
			h[name] = value
		}
		return h
	}
	for _, tc := range []struct {
		name, method, path string
		headers            map[string]string
	}{
		{"presigned, X-Minio-Source-Etag", http.MethodPut, presigned, map[string]string{"X-Minio-Source-Etag": "0123456789abcdef0123456789abcdef"}},
		{"presigned, x-minio-meta-owner (lower case)", http.MethodPut, presigned, map[string]string{"x-minio-meta-owner": "mallory"}},
		{"presigned, X-Minio-Source-Mtime", http.MethodPut, presigned, map[string]string{"X-Minio-Source-Mtime": "2001-01-01T00:00:00Z", "X-Minio-Source-Replication-Request": "true"}},
		{"presigned GET, X-Minio-Extract", http.MethodGet, presigned, map[string]string{"X-Minio-Extract": "true"}},
		{"presigned, X-Minio-Internal-anything", http.MethodPut, presigned, map[string]string{"X-Minio-Internal-Actual-Size": "1"}},
		{"header-signed, X-Minio-Source-Etag", http.MethodPut, "/bucket/key", with(headerSigned, "X-Minio-Source-Etag", "0123456789abcdef0123456789abcdef")},
		{"presigned, x-minio-* query parameter", http.MethodPut, presigned + "&x-minio-force-create=true", nil},
		{"presigned, MinIO's ?events listener", http.MethodGet, "/bucket?events=s3%3AObjectCreated%3A%2A&X-Amz-Signature=00&X-Amz-SignedHeaders=host", nil},
		{"header-signed, MinIO's ?lambdaArn", http.MethodGet, "/bucket/key?lambdaArn=arn", headerSigned},
		{"header-signed, MinIO's ?replication-metrics", http.MethodGet, "/bucket?replication-metrics=2", headerSigned},
		{"MinIO's own API under /minio/", http.MethodGet, "/minio/admin/v3/info", headerSigned},
		{"MinIO's health endpoint", http.MethodGet, "/minio/health/live", nil},
	} {
		before := store.hits
		resp := do(t, tc.method, proxy.URL+tc.path, tc.headers)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, resp.StatusCode)
		}
		if store.hits > before {
			t.Errorf("%s: reached storage", tc.name)
		}
	}
	// Names that merely resemble MinIO's pass: S3 stores or ignores them.
	for _, h := range []string{"X-Minioish", "X-Amz-Meta-Minio-Note"} {
		headers := map[string]string{h: "v"}
		if strings.HasPrefix(strings.ToLower(h), "x-amz-") {
			headers = with(headerSigned, h, "v")
		}
		if resp := do(t, http.MethodPut, proxy.URL+"/bucket/key", headers); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d, want it forwarded", h, resp.StatusCode)
		}
	}
}

// A trailer is a header sent after the body: MinIO must not get an
// x-minio-* one that way either.
func TestS3ProxyRefusesMinIOTrailers(t *testing.T) {
	proxy, store := startProxy(t, "https://app.example")
	req, err := http.NewRequest(http.MethodPut, proxy.URL+presigned, io.NopCloser(strings.NewReader("body")))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1 // chunked, so trailers can follow
	req.Trailer = http.Header{"X-Minio-Source-Etag": {"0123456789abcdef0123456789abcdef"}}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || store.hits != 0 {
		t.Errorf("an x-minio-* trailer: %d, %d requests reached storage; want 403 and none", resp.StatusCode, store.hits)
	}
}
