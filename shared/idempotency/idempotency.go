// Package idempotency makes POSTs safe to retry (Idempotency-Key, as
// Lightfield's "Idempotency" page documents it): the first request with a key
// runs; a retry with the same key and request replays its stored response for
// 24 h; the same key with another request is a 409, and so is a duplicate
// while the first still runs (that one may be retried). A request that failed
// (any 4xx or 5xx) leaves nothing behind: its retry runs again.
package idempotency

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Header is the request header clients set.
const Header = "Idempotency-Key"

const (
	maxKeyLen = 255
	keep      = 24 * time.Hour
	// lease bounds how long a crashed request blocks its key: a Lambda
	// invocation cannot outlive it (the functions time out well before).
	lease = 2 * time.Minute
	// maxStored keeps a record inside DynamoDB's 400 KB item limit. Larger
	// responses are only ever reads (query pages), which may simply run again.
	maxStored = 300 << 10
)

// Record is one key's state.
type Record struct {
	Scope      string // project + operation on its resource
	Key        string
	BodyHash   string
	Done       bool
	LeaseUntil time.Time
	Status     int
	Type       string // response Content-Type
	Body       []byte
	TTL        int64
}

// Store keeps records. Begin writes rec unless a live record exists for the
// same scope and key; it then returns that record instead (nil if it wrote).
type Store interface {
	Begin(ctx context.Context, rec *Record, now time.Time) (*Record, error)
	Finish(ctx context.Context, rec *Record) error
	Abandon(ctx context.Context, scope, key string) error
}

// Keys runs requests at most once per key.
type Keys struct {
	Store Store
	Now   func() time.Time
}

// Run serves a POST under its Idempotency-Key; k may be nil (no
// idempotency) and other methods just run. scope must name the project and
// the operation on its resource (method and path, file id included).
func (k *Keys) Run(w http.ResponseWriter, r *http.Request, scope string, next http.Handler) error {
	if k == nil || r.Method != http.MethodPost {
		next.ServeHTTP(w, r)
		return nil
	}
	return k.Serve(w, r, scope, next)
}

// Serve runs next once for (scope, the request's key, its body), or replays.
// Requests without the header just run. Errors are client-facing *files.Error.
func (k *Keys) Serve(w http.ResponseWriter, r *http.Request, scope string, next http.Handler) error {
	key := r.Header.Get(Header)
	if key == "" {
		next.ServeHTTP(w, r)
		return nil
	}
	if len(key) > maxKeyLen {
		return files.Errorf(files.KindInvalid, "invalid_idempotency_key", "Idempotency-Key must be at most %d characters", maxKeyLen).WithParam(Header)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return files.Errorf(files.KindInvalid, "invalid_body", "could not read the request body")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	now := k.Now()
	rec := &Record{Scope: scope, Key: key, BodyHash: fingerprint(r.URL.RawQuery, r.Header.Get("Content-Type"), body), LeaseUntil: now.Add(lease), TTL: now.Add(keep).Unix()}
	prev, err := k.Store.Begin(r.Context(), rec, now)
	if err != nil {
		return err
	}
	if prev != nil {
		return replay(w, prev, rec.BodyHash)
	}
	rr := httptest.NewRecorder()
	next.ServeHTTP(rr, r)
	res := rr.Result()
	if res.StatusCode >= 400 || rr.Body.Len() > maxStored {
		// Detached: the client may have gone, the key must still be freed.
		_ = k.Store.Abandon(context.WithoutCancel(r.Context()), scope, key)
	} else {
		rec.Done, rec.Status, rec.Type, rec.Body = true, res.StatusCode, res.Header.Get("Content-Type"), rr.Body.Bytes()
		if err := k.Store.Finish(context.WithoutCancel(r.Context()), rec); err != nil {
			return err
		}
	}
	copyResponse(w, rr)
	return nil
}

func replay(w http.ResponseWriter, prev *Record, bodyHash string) error {
	switch {
	case prev.BodyHash != bodyHash:
		return files.Errorf(files.KindConflict, "idempotency_conflict", "this Idempotency-Key was used with a different request body")
	case !prev.Done:
		return ErrInFlight
	}
	if prev.Type != "" {
		w.Header().Set("Content-Type", prev.Type)
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(prev.Status)
	_, _ = w.Write(prev.Body)
	return nil
}

// ErrInFlight answers a duplicate of a request that is still running: the
// same request may succeed (as a replay) once that one ends.
var ErrInFlight = &files.Error{Kind: files.KindConflict, Code: "idempotency_conflict", Message: "a request with this Idempotency-Key is still in progress; retry shortly", Transient: true}

func copyResponse(w http.ResponseWriter, rr *httptest.ResponseRecorder) {
	for k, v := range rr.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rr.Code)
	_, _ = w.Write(rr.Body.Bytes())
}
