// Package s3proxy is the checking proxy in front of MinIO: it refuses what S3
// would refuse and MinIO accepts (MinIO's own headers and subresources,
// unsigned x-amz headers) and answers CORS from the template's bucket rules.
package s3proxy

import (
	"encoding/xml"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// S3Proxy stands in front of MinIO and makes it as strict as S3 where MinIO
// is laxer, so tests of those rules can fail locally. Every S3 request of the
// stack (the functions' SDK calls and the clients' presigned URLs) goes
// through it. It
//   - refuses a presigned request carrying x-amz-* headers its signature does
//     not cover: S3's SigV4 query-string rule ("Authenticating Requests:
//     Using Query Parameters") requires "any x-amz-* headers that you plan to
//     add to the request" in X-Amz-SignedHeaders, and answers 403 AccessDenied
//     ("There were headers present in the request which were not signed");
//     MinIO stores them;
//   - refuses MinIO's own extensions the same way, on every request: S3 has
//     no x-minio-* headers, yet MinIO acts on them (x-minio-source-etag sets
//     the stored ETag, which complete's md5 check trusts; x-minio-meta-* is
//     stored and served; x-minio-source-mtime sets Last-Modified), and no
//     x-minio-* query parameters, MinIO-only subresources or /minio/ APIs
//     (see minioOnly);
//   - applies the bucket's CORS rules as S3 does (MinIO ignores bucket CORS
//     and allows every origin): preflights are answered here from the rules,
//     and other responses carry CORS headers only for an allowed origin.
//
// It forwards the Host header unchanged: presigned URLs sign the proxy's
// host, and MinIO checks the signature against the Host it receives.
type S3Proxy struct {
	Target *url.URL
	CORS   []samtemplate.CORSRule // the template's bucket rules, origins resolved
	Log    *slog.Logger
	proxy  *httputil.ReverseProxy
	delay  atomic.Int64 // nanoseconds every request waits first (SetDelay)
}

// SetDelay slows storage down (fault tests): every request waits d before
// it is forwarded, as when S3 answers slowly; 0 ends it.
func (p *S3Proxy) SetDelay(d time.Duration) { p.delay.Store(int64(d)) }

// NewS3Proxy returns a proxy to target applying the bucket CORS rules.
func NewS3Proxy(target *url.URL, rules []samtemplate.CORSRule, log *slog.Logger) *S3Proxy {
	p := &S3Proxy{Target: target, CORS: rules, Log: log}
	p.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		ModifyResponse: func(resp *http.Response) error {
			p.corsHeaders(resp.Header, resp.Request)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p.Log.Warn("s3 proxy: storage unreachable", "err", err)
			s3Error(w, http.StatusServiceUnavailable, "ServiceUnavailable", "Please reduce your request rate.", nil)
		},
	}
	return p
}

func (p *S3Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := time.Duration(p.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		p.preflight(w, r)
		return
	}
	if unsigned := append(unsignedAmzHeaders(r), minioHeaders(r)...); len(unsigned) > 0 {
		s3Error(w, http.StatusForbidden, "AccessDenied", "There were headers present in the request which were not signed",
			[]s3ErrorField{{"HeadersNotSigned", strings.Join(unsigned, ", ")}})
		return
	}
	if ext := minioOnly(r); ext != "" {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied", []s3ErrorField{{"Resource", ext}})
		return
	}
	p.proxy.ServeHTTP(w, r)
}

// minioHeaders lists the request's x-minio-* headers and trailers (a
// trailer is a header sent after the body). S3 knows none of them, so no
// signature can make one legitimate: they are refused on every request,
// presigned or not, as S3 refuses an unsigned x-amz-* header.
func minioHeaders(r *http.Request) []string {
	var out []string
	for _, h := range []http.Header{r.Header, r.Trailer} {
		for name := range h {
			if n := strings.ToLower(name); strings.HasPrefix(n, "x-minio-") && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

// minioSubresources are the query parameters that select a MinIO-only API
// (MinIO's cmd/api-router.go): ?events streams a bucket's notifications,
// ?lambdaArn transforms a GET, ?metadata lists user metadata, the
// replication ones report or reset replication.
var minioSubresources = []string{"events", "lambdaArn", "metadata", "replication-check", "replication-metrics", "replication-reset", "replication-reset-status"}

// minioOnly names what in the request only MinIO serves, "" if nothing: a
// path under /minio/ (its admin, health, metrics and peer APIs), an
// x-minio-* query parameter (MinIO reads object metadata from the query as
// well as the headers), or a MinIO-only subresource. S3 has none of them.
func minioOnly(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/minio/") || r.URL.Path == "/minio" {
		return r.URL.Path
	}
	for name := range r.URL.Query() {
		if strings.HasPrefix(strings.ToLower(name), "x-minio-") || slices.Contains(minioSubresources, name) {
			return "?" + name
		}
	}
	return ""
}

// unsignedAmzHeaders lists the x-amz-* headers of a presigned request that
// X-Amz-SignedHeaders does not name; requests signed in the Authorization
// header are MinIO's to check (SigV4 signs every x-amz-* header there).
func unsignedAmzHeaders(r *http.Request) []string {
	q := r.URL.Query()
	if q.Get("X-Amz-Signature") == "" {
		return nil
	}
	signed := strings.Split(strings.ToLower(q.Get("X-Amz-SignedHeaders")), ";")
	var out []string
	for name := range r.Header {
		n := strings.ToLower(name)
		if strings.HasPrefix(n, "x-amz-") && !slices.Contains(signed, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// preflight answers an OPTIONS request as S3 does: the first rule allowing
// the origin, the requested method and every requested header wins; no
// such rule is a 403.
func (p *S3Proxy) preflight(w http.ResponseWriter, r *http.Request) {
	origin, method := r.Header.Get("Origin"), r.Header.Get("Access-Control-Request-Method")
	var headers []string
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			headers = append(headers, h)
		}
	}
	rule, allowOrigin := p.match(origin, method, headers)
	if rule == nil {
		s3Error(w, http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
			[]s3ErrorField{{"Method", method}, {"ResourceType", "OBJECT"}})
		return
	}
	h := w.Header()
	writeCORS(h, rule, allowOrigin)
	if len(headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	w.WriteHeader(http.StatusOK)
}

// corsHeaders replaces MinIO's own CORS headers on a response with the ones
// the bucket's rules give the request's origin and method (none if no rule
// allows them, as S3 does).
func (p *S3Proxy) corsHeaders(h http.Header, r *http.Request) {
	for name := range h {
		if strings.HasPrefix(strings.ToLower(name), "access-control-") {
			h.Del(name)
		}
	}
	h.Del("Vary")
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	if rule, allowOrigin := p.match(origin, r.Method, nil); rule != nil {
		writeCORS(h, rule, allowOrigin)
		h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	}
}

// match returns the first rule allowing origin, method and headers, and the
// Access-Control-Allow-Origin it answers ("*" for a rule allowing any origin).
func (p *S3Proxy) match(origin, method string, headers []string) (*samtemplate.CORSRule, string) {
	for i := range p.CORS {
		rule := &p.CORS[i]
		if !slices.Contains(rule.AllowedMethods, method) {
			continue
		}
		allowOrigin := ""
		for _, o := range rule.AllowedOrigins {
			if o == "*" {
				allowOrigin = "*"
				break
			}
			if wildcardMatch(o, origin) {
				allowOrigin = origin
				break
			}
		}
		if allowOrigin == "" || !allHeadersAllowed(rule.AllowedHeaders, headers) {
			continue
		}
		return rule, allowOrigin
	}
	return nil, ""
}

func allHeadersAllowed(allowed, requested []string) bool {
	for _, h := range requested {
		if !slices.ContainsFunc(allowed, func(a string) bool { return wildcardMatch(strings.ToLower(a), h) }) {
			return false
		}
	}
	return true
}

// wildcardMatch matches s against pattern with at most one "*" (S3 allows one
// per AllowedOrigin and AllowedHeader).
func wildcardMatch(pattern, s string) bool {
	before, after, found := strings.Cut(pattern, "*")
	if !found {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}

func writeCORS(h http.Header, rule *samtemplate.CORSRule, allowOrigin string) {
	h.Set("Access-Control-Allow-Origin", allowOrigin)
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if allowOrigin != "*" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(rule.ExposedHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposedHeaders, ", "))
	}
	if rule.MaxAge > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(int(rule.MaxAge)))
	}
}

type s3ErrorField struct{ Name, Value string }

// s3Error writes S3's XML error body.
func s3Error(w http.ResponseWriter, status int, code, message string, extra []s3ErrorField) {
	var b strings.Builder
	b.WriteString(xml.Header + "<Error><Code>" + code + "</Code><Message>")
	xml.EscapeText(&b, []byte(message))
	b.WriteString("</Message>")
	for _, f := range extra {
		b.WriteString("<" + f.Name + ">")
		xml.EscapeText(&b, []byte(f.Value))
		b.WriteString("</" + f.Name + ">")
	}
	b.WriteString("</Error>")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}
