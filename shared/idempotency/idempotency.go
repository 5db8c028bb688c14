// Package idempotency makes POSTs safe to retry (Idempotency-Key, as
// Lightfield's "Idempotency" page documents it): the first request with a key
// runs; a retry with the same key and request (compared as parsed JSON, so
// spacing, key order and {} against no body do not matter) replays its
// stored response for 24 h (a create runs again as a lookup, so its URLs are
// fresh); the same key with another request is a 409, and so is a duplicate
// while the first still runs (that one may be retried once the key's lease
// ends, which its Retry-After says; a crashed request holds the key until its
// deadline plus LeaseMargin). A request that failed (any 4xx or 5xx) stores
// no response: its retry runs again, with the same files.Operation, so a
// create finds whatever the failed attempt wrote.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Header is the request header clients set.
const Header = "Idempotency-Key"

const (
	maxKeyLen = 255
	keep      = 24 * time.Hour
	// LeaseMargin is how long a key stays blocked past the deadline of the
	// request holding it. That deadline is the function's timeout
	// (template.yaml: Globals.Function.Timeout, or the function's own):
	// Lambda sets it on the invocation's context, aws-lambda-go and the
	// API Gateway adapter hand it to the request, and the local gateway does
	// the same. After it Lambda has stopped the function; the margin covers
	// a write it sent just before and clock skew between functions.
	LeaseMargin = 5 * time.Second
	// runWithoutDeadline bounds a request whose context has no deadline
	// (a handler called outside Lambda and the local gateway), so that its
	// lease ends too.
	runWithoutDeadline = 30 * time.Second
	// maxStored keeps a record inside DynamoDB's 400 KB item limit. Larger
	// responses are only ever reads (query pages), which may simply run again.
	maxStored = 300 << 10
	// settleGrace is how far past the request's deadline storing or
	// releasing its key may run: that runs detached from the request's
	// context (the client may have gone, or the deadline passed because a
	// dependency stalled), and must still end inside routeguard's
	// AnswerReserve, so a stalled store lets the answer out. A release that
	// does not happen leaves the key to its lease.
	settleGrace = 500 * time.Millisecond
)

// Record is one key's state.
type Record struct {
	Scope      string // project + operation on its resource
	Key        string
	BodyHash   string
	Done       bool
	LeaseUntil time.Time
	// FirstAt is the key's first attempt of this request: an Operation's
	// time. Retries of the same request keep it; another request, or the
	// same one once the key's 24 hours are over, starts afresh.
	FirstAt time.Time
	Status  int
	Type    string // response Content-Type
	Body    []byte
	TTL     int64
}

// Store keeps records. Begin claims the key for rec unless a finished record
// or a live lease holds it; it then reports that record as the Claim's
// Holder. Claiming sets rec.FirstAt to the stored first attempt when the
// key's last claim was for the same request (rec.BodyHash) and its 24 hours
// still run, and keeps rec.FirstAt (now) otherwise. Finish and Release keep
// FirstAt; Release ends rec's lease if it still holds the key.
type Store interface {
	Begin(ctx context.Context, rec *Record, now time.Time) (Claim, error)
	Finish(ctx context.Context, rec *Record) error
	Release(ctx context.Context, rec *Record) error
}

// Claim is what Begin found: the key is this request's now (Claimed), or
// Holder, a finished request or one still in flight, holds it.
type Claim struct {
	Claimed bool
	Holder  *Record
}

// Replay is how a key whose request succeeded answers a repeat of it.
type Replay int

const (
	// ReplayStored writes the stored answer, byte for byte.
	ReplayStored Replay = iota
	// ReplayRun runs the handler again with its Operation marked Replay:
	// for a create whose file id derives from the key, which answers with
	// the file as stored and freshly signed URLs, never stale ones.
	ReplayRun
)

// Keys runs requests at most once per key.
type Keys struct {
	Store Store
	Now   func() time.Time
}

// Run serves a POST under its Idempotency-Key, replaying a repeat's stored
// answer (ReplayStored); k may be nil (no idempotency) and other methods
// just run. scope must name the project and the operation on its resource
// (method and path, file id included).
func (k *Keys) Run(w http.ResponseWriter, r *http.Request, scope string, next http.Handler) error {
	return k.run(w, r, scope, ReplayStored, next)
}

// Rerun is Run for a create whose file id derives from its key: a repeat
// runs next again (ReplayRun).
func (k *Keys) Rerun(w http.ResponseWriter, r *http.Request, scope string, next http.Handler) error {
	return k.run(w, r, scope, ReplayRun, next)
}

func (k *Keys) run(w http.ResponseWriter, r *http.Request, scope string, replay Replay, next http.Handler) error {
	if k == nil || r.Method != http.MethodPost {
		next.ServeHTTP(w, r)
		return nil
	}
	return k.Serve(w, r, scope, replay, next)
}

// Serve runs next once for (scope, the request's key, its body), or replays.
// Requests without the header just run. Errors are client-facing *files.Error.
// next finds the request's files.Operation with OperationOf.
func (k *Keys) Serve(w http.ResponseWriter, r *http.Request, scope string, replay Replay, next http.Handler) error {
	key := r.Header.Get(Header)
	if key == "" {
		next.ServeHTTP(w, r)
		return nil
	}
	if len(key) > maxKeyLen {
		return files.Errorf(files.KindInvalid, "idempotency_key_too_long", "Idempotency-Key must be at most %d characters", maxKeyLen).WithParam(Header)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return files.Errorf(files.KindInvalid, "invalid_body", "could not read the request body")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	ctx, cancel := withDeadline(r.Context())
	defer cancel()
	deadline, _ := ctx.Deadline()
	now := k.Now()
	// The key is leased, on the Keys clock, for as long as the request may run.
	lease := now.Add(time.Until(deadline) + LeaseMargin)
	rec := &Record{Scope: scope, Key: key, BodyHash: fingerprint(r.URL.RawQuery, r.Header.Get("Content-Type"), body), FirstAt: now, LeaseUntil: lease, TTL: now.Add(keep).Unix()}
	claim, err := k.Store.Begin(ctx, rec, now)
	if err != nil {
		return err
	}
	if !claim.Claimed {
		prev := claim.Holder
		if err := replayable(prev, rec.BodyHash, now); err != nil {
			return err
		}
		w.Header().Set("Idempotent-Replayed", "true")
		if replay == ReplayRun {
			next.ServeHTTP(w, r.WithContext(withOperation(ctx, rec, prev.FirstAt, true)))
			return nil
		}
		writeStored(w, prev)
		return nil
	}
	held := &heldResponse{header: http.Header{}, status: http.StatusOK}
	next.ServeHTTP(held, r.WithContext(withOperation(ctx, rec, rec.FirstAt, false)))
	// Detached: the client may have gone, the key must still be settled.
	settle, cancelSettle := context.WithDeadline(context.WithoutCancel(ctx), deadline.Add(settleGrace))
	defer cancelSettle()
	if held.status >= 400 || held.body.Len() > maxStored {
		_ = k.Store.Release(settle, rec)
	} else {
		rec.Done, rec.Status, rec.Type, rec.Body = true, held.status, held.header.Get("Content-Type"), held.body.Bytes()
		if err := k.Store.Finish(settle, rec); err != nil {
			return err
		}
	}
	held.sendTo(w)
	return nil
}

// withDeadline gives a request without a deadline one, so its lease ends.
func withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, runWithoutDeadline)
}

type operationKey struct{}

// withOperation hands next the files.Operation of rec's request.
func withOperation(ctx context.Context, rec *Record, firstAt time.Time, replay bool) context.Context {
	h := sha256.New()
	for _, field := range []string{rec.Scope, rec.Key, rec.BodyHash} {
		writeField(h, field)
	}
	op := &files.Operation{Seed: hex.EncodeToString(h.Sum(nil)), At: firstAt, Replay: replay}
	return context.WithValue(ctx, operationKey{}, op)
}

// OperationOf is the files.Operation of a request running under an
// Idempotency-Key (nil without one): the same for every attempt of the
// request under the key, so a create can derive its file's id from it.
func OperationOf(ctx context.Context) *files.Operation {
	op, _ := ctx.Value(operationKey{}).(*files.Operation)
	return op
}

// heldResponse keeps a response until it is known whether it is stored, so
// a client never sees an answer whose replay could differ.
type heldResponse struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(status int) {
	if !h.wrote {
		h.status, h.wrote = status, true
	}
}

func (h *heldResponse) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return h.body.Write(b)
}

func (h *heldResponse) sendTo(w http.ResponseWriter) {
	for k, v := range h.header {
		w.Header()[k] = v
	}
	w.WriteHeader(h.status)
	_, _ = w.Write(h.body.Bytes())
}

// replayable says whether prev, the record holding the key at now, may
// answer a request with bodyHash: only when it is the same request, finished.
func replayable(prev *Record, bodyHash string, now time.Time) error {
	switch {
	case prev.BodyHash != bodyHash:
		return files.Errorf(files.KindConflict, "idempotency_key_reused", "this Idempotency-Key was used with a different request body")
	case !prev.Done:
		return inFlightUntil(prev.LeaseUntil.Sub(now))
	}
	return nil
}

func writeStored(w http.ResponseWriter, prev *Record) {
	if prev.Type != "" {
		w.Header().Set("Content-Type", prev.Type)
	}
	w.WriteHeader(prev.Status)
	_, _ = w.Write(prev.Body)
}

// ErrInFlight answers a duplicate of a request that is still running: the
// same request may succeed (as a replay) once that one ends. Lightfield's
// "Idempotency" page documents it as a 409 of type idempotency_conflict.
var ErrInFlight = &files.Error{Kind: files.KindInFlight, Code: "idempotency_conflict", Message: "an operation with this Idempotency-Key is already in progress; retry after the time Retry-After gives", Transient: true}

// inFlightUntil is ErrInFlight for a key whose lease ends in left: the
// duplicate is told to come back then, when the key is free (the running
// request has finished, or it crashed and its lease ran out), so clients
// that wait what Retry-After says do not give up before.
func inFlightUntil(left time.Duration) error {
	e := *ErrInFlight
	e.RetryAfter = max(left, 0)
	return &e
}
