package files

import (
	"errors"
	"fmt"
)

// Kind classifies an Error; each API dialect maps kinds to HTTP statuses in one place.
type Kind int

const (
	KindInternal Kind = iota
	KindInvalid
	KindUnauthenticated
	KindForbidden
	KindNotFound
	KindConflict
	KindTooLarge
	KindUnprocessable // the upload failed validation
	KindUnavailable   // a dependency is down or throttling; retry later
	// KindUnsupportedMediaType: a request body in a format the endpoint does not read.
	KindUnsupportedMediaType
	// KindMethodNotAllowed: the path is a route, but not for this method.
	KindMethodNotAllowed
)

// Error is Filegate's one error type. Message is safe to show to clients;
// Err (the cause) is for logs only.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Param   string // the offending input (a field, query parameter or header), if one
	Err     error
	// Transient marks an error the same request can get past once something
	// under way ends (the bytes still uploading, a duplicate still running).
	Transient bool
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a client-facing error.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected cause; clients see only a generic message.
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Code: "internal", Message: "internal error", Err: err}
}

// WithParam returns a copy of e naming the offending input.
func (e *Error) WithParam(param string) *Error {
	c := *e
	c.Param = param
	return &c
}

// Retry is what repeating a failed request, unchanged, can achieve; clients
// that retry on their own (the providers' Stainless-generated SDKs retry
// every 409 and 5xx) are told which, so they neither hammer nor give up.
type Retry int

const (
	RetryUnknown Retry = iota // a fault: it may clear, the client's policy decides
	RetryNever                // the request itself must change (bad input, a settled state)
	RetryLater                // it can succeed shortly, once something under way ends
)

// RetryOf classifies err; an error that is not an *Error is a fault.
func RetryOf(err error) Retry {
	var e *Error
	switch {
	case !errors.As(err, &e) || e.Kind == KindInternal:
		return RetryUnknown
	case e.Transient || e.Kind == KindUnavailable:
		return RetryLater
	default:
		return RetryNever
	}
}

// KindOf returns err's kind; anything that is not an *Error is internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrNotFound is what stores return for a missing record; scoped to a project,
// so a file of another project is indistinguishable from one that never existed.
var ErrNotFound = &Error{Kind: KindNotFound, Code: "not_found", Message: "file not found"}

// ErrConditionFailed is what stores return when a conditional transition
// loses; repeated, the request meets the state the winner left.
var ErrConditionFailed = &Error{Kind: KindConflict, Code: "state_changed", Message: "file changed state concurrently", Transient: true}

// ErrObjectMissing is what object storage returns for a key with no object:
// complete came before the bytes, which may still be on their way.
var ErrObjectMissing = &Error{Kind: KindConflict, Code: "upload_missing", Message: "no bytes have been uploaded for this file yet", Transient: true}

// ErrObjectExists is what a write-once object write (If-None-Match: *)
// returns when an object is already there.
var ErrObjectExists = &Error{Kind: KindConflict, Code: "object_exists", Message: "the file's bytes are already stored"}

// Unavailable wraps a fault that may clear on retry (throttling, a dependency down).
func Unavailable(what string, err error) *Error {
	return &Error{Kind: KindUnavailable, Code: "unavailable", Message: what + " is temporarily unavailable", Err: err}
}

// RejectionError is how a REJECTED upload is answered: a 422 naming the
// rejection's code and the declared input it contradicts.
func RejectionError(rej *Rejection) *Error {
	if rej == nil {
		rej = &Rejection{Code: "rejected", Message: "the upload failed validation"}
	}
	return &Error{Kind: KindUnprocessable, Code: rej.Code, Message: "upload rejected: " + rej.Message, Param: rejectionParam[rej.Code]}
}

// rejectionParam names the declared input each rejection contradicts.
var rejectionParam = map[string]string{
	"size_mismatch":         "sizeBytes",
	"too_large":             "sizeBytes",
	"content_type_mismatch": "mimeType",
	"type_mismatch":         "mimeType",
	"type_not_allowed":      "mimeType",
	"checksum_mismatch":     "md5",
}
