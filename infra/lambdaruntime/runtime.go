// Package lambdaruntime is a small, faithful AWS Lambda Runtime API server
// (version 2018-06-01): the HTTP API a provided.al2023 `bootstrap` polls via
// AWS_LAMBDA_RUNTIME_API. It lets tests and benchmarks run a function's real
// binary the way Lambda does — same entry, same event bytes, same loop —
// without Docker or an AWS account.
//
// One Runtime is one execution environment: invocations are handed out one
// at a time to whoever polls /next, as Lambda does.
package lambdaruntime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limits Lambda enforces on synchronous invocations (bytes).
const (
	MaxRequestPayload  = 6 << 20
	MaxResponsePayload = 6291556
	DefaultTimeout     = 10 * time.Second // the template's Globals.Function.Timeout
)

const (
	prefix             = "/2018-06-01/runtime/"
	headerRequestID    = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline     = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN  = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID      = "Lambda-Runtime-Trace-Id"
	headerErrorType    = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody   = "Lambda-Runtime-Function-Error-Body"
	defaultFunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:function"
)

// ErrClosed is returned by Invoke once the runtime is closed.
var ErrClosed = errors.New("lambdaruntime: closed")

// ErrorResponse is a function error in Lambda's format: what the runtime
// posted to /error or /init/error, or what Lambda itself reports (timeouts,
// Runtime.ExitError). Invoke returns it where Lambda sets X-Amz-Function-Error.
type ErrorResponse struct {
	Type       string          `json:"errorType"`
	Message    string          `json:"errorMessage"`
	StackTrace json.RawMessage `json:"stackTrace,omitempty"` // runtime-specific shape, kept as sent
}

func (e *ErrorResponse) Error() string { return e.Type + ": " + e.Message }

// Runtime serves the Runtime API on 127.0.0.1. Set the exported fields
// before the first Invoke.
type Runtime struct {
	Addr        string        // host:port, the value of AWS_LAMBDA_RUNTIME_API
	FunctionARN string        // sent as Lambda-Runtime-Invoked-Function-Arn
	Timeout     time.Duration // each invocation's deadline; 0 means DefaultTimeout

	srv    *http.Server
	queue  chan *invocation // unbuffered: an invocation starts when /next takes it
	closed chan struct{}

	polled   chan struct{} // closed at the first /next
	pollOnce sync.Once
	dead     chan struct{} // closed when init failed or the process exited
	deadOnce sync.Once

	mu        sync.Mutex
	firstPoll time.Time
	deadErr   *ErrorResponse
	active    map[string]*invocation // handed out, awaiting /response or /error

	proc      *process // set by StartFunction
	closeOnce sync.Once
}

type invocation struct {
	id      string
	payload []byte
	done    chan result // buffered: the handler never blocks on a gone caller
}

type result struct {
	body  []byte
	fnErr *ErrorResponse
}

// New starts a Runtime API server on 127.0.0.1 (a free port).
func New() (*Runtime, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdaruntime: listen: %w", err)
	}
	r := &Runtime{
		Addr: ln.Addr().String(), FunctionARN: defaultFunctionARN,
		queue: make(chan *invocation), closed: make(chan struct{}),
		polled: make(chan struct{}), dead: make(chan struct{}),
		active: map[string]*invocation{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"invocation/next", r.next)
	mux.HandleFunc("POST "+prefix+"invocation/{id}/response", r.response)
	mux.HandleFunc("POST "+prefix+"invocation/{id}/error", r.invocationError)
	mux.HandleFunc("POST "+prefix+"init/error", r.initError)
	// No read or write timeout: /next blocks for as long as nothing is queued.
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// FirstPoll is closed when the function first asks for an invocation: the
// end of its init phase (what cold-start benchmarks measure).
func (r *Runtime) FirstPoll() <-chan struct{} { return r.polled }

// FirstPollAt is when FirstPoll was closed (zero before).
func (r *Runtime) FirstPollAt() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.firstPoll
}

// Invoke runs one synchronous invocation, like lambda:Invoke with
// RequestResponse: response is what the function returned; fnErr is set when
// the function failed (its /error report, an init error, a timeout or its
// process exiting); err is set when the invocation could not be made.
func (r *Runtime) Invoke(ctx context.Context, payload []byte) (response []byte, fnErr *ErrorResponse, err error) {
	if len(payload) > MaxRequestPayload {
		return nil, nil, fmt.Errorf("lambdaruntime: request payload of %d bytes exceeds %d (RequestEntityTooLarge)", len(payload), MaxRequestPayload)
	}
	inv := &invocation{id: newRequestID(), payload: payload, done: make(chan result, 1)}
	select {
	case r.queue <- inv:
	case <-r.dead:
		return r.deadResult(inv.id)
	case <-r.closed:
		return nil, nil, ErrClosed
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	// /next computed its deadline header just before taking inv, so this
	// timer fires no earlier than the function's own context does.
	timeout := r.timeout()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	defer r.forget(inv.id) // a late answer then gets 400, as for any unknown id
	select {
	case res := <-inv.done:
		return res.body, res.fnErr, nil
	case <-timer.C:
		return nil, &ErrorResponse{Type: "Sandbox.Timedout",
			Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, timeout.Seconds())}, nil
	case <-r.dead:
		return r.deadResult(inv.id)
	case <-r.closed:
		return nil, nil, ErrClosed
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// deadResult reports a broken environment, unless we broke it by closing.
func (r *Runtime) deadResult(id string) ([]byte, *ErrorResponse, error) {
	select {
	case <-r.closed:
		return nil, nil, ErrClosed
	default:
		return nil, r.deathError(id), nil
	}
}

// Close stops the function process (SIGKILL, as Lambda does) if StartFunction
// started one, then the server. Blocked Invokes return ErrClosed.
func (r *Runtime) Close() error {
	r.closeOnce.Do(func() {
		close(r.closed)
		if r.proc != nil {
			r.proc.kill()
		}
		_ = r.srv.Close()
	})
	return nil
}

func (r *Runtime) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

func (r *Runtime) forget(id string) {
	r.mu.Lock()
	delete(r.active, id)
	r.mu.Unlock()
}

// take removes an active invocation: each gets exactly one outcome.
func (r *Runtime) take(id string) (*invocation, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	inv, ok := r.active[id]
	delete(r.active, id)
	return inv, ok
}

// die fails every current and future invocation with e (first cause wins).
func (r *Runtime) die(e *ErrorResponse) {
	r.deadOnce.Do(func() {
		r.mu.Lock()
		r.deadErr = e
		r.mu.Unlock()
		close(r.dead)
	})
}

// deathError is the error Lambda returns to the caller of a broken environment.
func (r *Runtime) deathError(id string) *ErrorResponse {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := *r.deadErr
	if e.Type == "Runtime.ExitError" {
		e.Message = "RequestId: " + id + " Error: " + e.Message
	}
	return &e
}

// next blocks until an invocation is queued and hands it to the runtime.
func (r *Runtime) next(w http.ResponseWriter, req *http.Request) {
	r.pollOnce.Do(func() {
		r.mu.Lock()
		r.firstPoll = time.Now()
		r.mu.Unlock()
		close(r.polled)
	})
	var inv *invocation
	select {
	case inv = <-r.queue:
	case <-req.Context().Done():
		return // the runtime went away while waiting
	case <-r.closed:
		writeError(w, http.StatusInternalServerError, "Runtime API closed", "ServiceException")
		return
	}
	deadline := time.Now().Add(r.timeout())
	r.mu.Lock()
	r.active[inv.id] = inv
	r.mu.Unlock()
	h := w.Header()
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, r.FunctionARN)
	h.Set(headerTraceID, newTraceID(time.Now()))
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// response records the function's result for one invocation.
func (r *Runtime) response(w http.ResponseWriter, req *http.Request) {
	inv, ok := r.take(req.PathValue("id"))
	if !ok {
		writeError(w, http.StatusBadRequest, "Invalid request ID", "InvalidRequestID")
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxResponsePayload+1))
	if err != nil {
		inv.done <- result{fnErr: &ErrorResponse{Type: "Runtime.TruncatedResponse", Message: err.Error()}}
		writeError(w, http.StatusBadRequest, err.Error(), "InvalidRequest")
		return
	}
	if len(body) > MaxResponsePayload {
		inv.done <- result{fnErr: &ErrorResponse{Type: "Function.ResponseSizeTooLarge",
			Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponsePayload)}}
		writeError(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponsePayload), "RequestEntityTooLarge")
		return
	}
	// aws-lambda-go streams the body and reports a failure mid-stream in
	// trailers (readable only once the body is fully read).
	if t := req.Trailer.Get(headerErrorType); t != "" {
		raw, _ := base64.StdEncoding.DecodeString(req.Trailer.Get(trailerErrorBody))
		inv.done <- result{fnErr: parseError(raw, t)}
	} else {
		inv.done <- result{body: body}
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// invocationError records the function's error for one invocation.
func (r *Runtime) invocationError(w http.ResponseWriter, req *http.Request) {
	inv, ok := r.take(req.PathValue("id"))
	if !ok {
		writeError(w, http.StatusBadRequest, "Invalid request ID", "InvalidRequestID")
		return
	}
	raw, _ := io.ReadAll(io.LimitReader(req.Body, MaxResponsePayload))
	inv.done <- result{fnErr: parseError(raw, req.Header.Get(headerErrorType))}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// initError records a failed init: every invocation then fails with it.
// After the first /next, init is over and Lambda refuses the call.
func (r *Runtime) initError(w http.ResponseWriter, req *http.Request) {
	select {
	case <-r.polled:
		writeError(w, http.StatusForbidden, "init error reported after init", "InvalidStateTransition")
		return
	default:
	}
	raw, _ := io.ReadAll(io.LimitReader(req.Body, MaxResponsePayload))
	r.die(parseError(raw, req.Header.Get(headerErrorType)))
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// parseError reads a Lambda error document; without one, Lambda builds the
// error from the Lambda-Runtime-Function-Error-Type header.
func parseError(raw []byte, headerType string) *ErrorResponse {
	var e ErrorResponse
	if err := json.Unmarshal(raw, &e); err != nil || (e.Type == "" && e.Message == "") {
		e = ErrorResponse{Type: headerType, Message: string(raw)}
	}
	if e.Type == "" {
		e.Type = headerType
	}
	if e.Type == "" {
		e.Type = "Runtime.Unknown"
	}
	return &e
}

func writeError(w http.ResponseWriter, status int, msg, typ string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorResponse{Type: typ, Message: msg})
}

// newRequestID returns a random UUID, the form of Lambda request IDs.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// newTraceID returns an X-Ray trace header as Lambda sends it (not sampled).
func newTraceID(now time.Time) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]))
}
