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
)

// Error is Filegate's one error type. Message is safe to show to clients;
// Err (the cause) is for logs only.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Err     error
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
var ErrNotFound = Errorf(KindNotFound, "not_found", "file not found")

// ErrConditionFailed is what stores return when a conditional transition loses.
var ErrConditionFailed = Errorf(KindConflict, "state_changed", "file changed state concurrently")

// ErrObjectMissing is what object storage returns for a key with no object.
var ErrObjectMissing = Errorf(KindConflict, "upload_missing", "no bytes have been uploaded for this file yet")

// Unavailable wraps a fault that may clear on retry (throttling, a dependency down).
func Unavailable(what string, err error) *Error {
	return &Error{Kind: KindUnavailable, Code: "unavailable", Message: what + " is temporarily unavailable", Err: err}
}
