package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// stainless is a raw-HTTP client of the native API that behaves as the
// Stainless-generated Lightfield clients do (lightfield-go's
// internal/requestconfig): it sends their headers (Lightfield-Version,
// X-Stainless-*), retries a response when x-should-retry says "true", never
// when it says "false", and otherwise on 408, 409, 429 and 5xx; it waits what
// Retry-After-Ms or Retry-After say, else backs off 0.5 s × 2^n with jitter
// (at most 8 s); and it gives up after 2 retries.
type stainless struct {
	t   *testing.T
	key string
	// version is the Lightfield-Version header ("" sends the SDK's).
	version string
	// onAttempt, if set, sees each answer before the client decides to retry.
	onAttempt func(attempt int, status int, h http.Header)
}

const (
	stainlessMaxRetries = 2
	lightfieldVersion   = "2026-03-01" // what lightfield-go pins
)

// reply is what the caller of an SDK method finally gets.
type reply struct {
	attempts int
	status   int
	header   http.Header
	body     []byte
	// waited is the delay before each retry, in order.
	waited []time.Duration
}

// errorOf decodes the native error envelope of r.
func (r reply) errorOf(t *testing.T) nativeError {
	t.Helper()
	var e struct {
		Error *nativeError `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == nil {
		t.Fatalf("%d %s is not the native error envelope (%v)", r.status, r.body, err)
	}
	return *e.Error
}

// nativeError is Lightfield's error object.
type nativeError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Code    string `json:"code"`
	Param   string `json:"param"`
}

// do sends method path with body as JSON (nil: none) and extra headers, as an
// SDK method call does, retries included.
func (s *stainless) do(method, path string, body any, headers map[string]string) reply {
	s.t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			s.t.Fatal(err)
		}
	}
	var out reply
	for retry := 0; ; retry++ {
		req, err := http.NewRequestWithContext(s.t.Context(), method, stack.APIURL+path, bytes.NewReader(raw))
		if err != nil {
			s.t.Fatal(err)
		}
		if body == nil {
			req.Body, req.ContentLength = http.NoBody, 0
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		s.sdkHeaders(req.Header, retry)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			s.t.Fatal(err)
		}
		out.attempts, out.status, out.header, out.body = retry+1, resp.StatusCode, resp.Header, got
		if s.onAttempt != nil {
			s.onAttempt(retry+1, resp.StatusCode, resp.Header)
		}
		if retry >= stainlessMaxRetries || !shouldRetry(resp) {
			return out
		}
		wait := retryDelay(resp.Header, retry)
		out.waited = append(out.waited, wait)
		time.Sleep(wait)
	}
}

func (s *stainless) sdkHeaders(h http.Header, retry int) {
	version := s.version
	if version == "" {
		version = lightfieldVersion
	}
	h.Set("Authorization", "Bearer "+s.key)
	h.Set("Accept", "application/json")
	h.Set("User-Agent", "Lightfield/Go 0.0.0-filegate-test")
	h.Set("Lightfield-Version", version)
	h.Set("X-Stainless-Retry-Count", strconv.Itoa(retry))
	h.Set("X-Stainless-Lang", "go")
	h.Set("X-Stainless-Package-Version", "0.0.0-filegate-test")
	h.Set("X-Stainless-OS", "Linux")
	h.Set("X-Stainless-Arch", "x64")
	h.Set("X-Stainless-Runtime", "go")
	h.Set("X-Stainless-Runtime-Version", runtime.Version())
}

// shouldRetry is the SDK's rule.
func shouldRetry(resp *http.Response) bool {
	switch resp.Header.Get("X-Should-Retry") {
	case "true":
		return true
	case "false":
		return false
	}
	s := resp.StatusCode
	return s == http.StatusRequestTimeout || s == http.StatusConflict || s == http.StatusTooManyRequests || s >= 500
}

// retryDelay is the SDK's: the server's Retry-After-Ms or Retry-After
// (seconds or an HTTP date) verbatim, else exponential backoff with jitter.
func retryDelay(h http.Header, retry int) time.Duration {
	if v, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil {
		return max(0, time.Duration(v*float64(time.Millisecond)))
	}
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil {
			return max(0, time.Duration(secs*float64(time.Second)))
		}
		if at, err := time.Parse(time.RFC1123, v); err == nil {
			return max(0, time.Until(at))
		}
	}
	delay := min(time.Duration(0.5*float64(time.Second)*math.Pow(2, float64(retry))), 8*time.Second)
	return delay - time.Duration(rand.Int64N(int64(delay/4)))
}

// stainlessHeaders are the request headers a Stainless-generated client
// sends from a browser beyond the CORS-safelisted ones (lower-case, as
// browsers list them in Access-Control-Request-Headers).
var stainlessHeaders = []string{
	"authorization", "content-type", "idempotency-key", "lightfield-version",
	"x-stainless-arch", "x-stainless-lang", "x-stainless-os", "x-stainless-package-version",
	"x-stainless-retry-count", "x-stainless-runtime", "x-stainless-runtime-version", "x-stainless-timeout",
}
