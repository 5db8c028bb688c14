package files

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an Error; one mapping (routeguard.Status) gives each kind
// its HTTP status in both API dialects.
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
	// KindInFlight: another attempt of the same request (the same
	// Idempotency-Key) is still running; this one can succeed once it ends.
	KindInFlight
)

// Error is Filegate's one error type. Message is safe to show to clients;
// Err (the cause) is for logs only. The domain's errors name the input at
// fault as a Field, which each dialect spells its own way, in Param and in
// the message (MessageIn); what a dialect reads itself (a query parameter, a
// header) it names in Param.
type Error struct {
	Kind    Kind
	Code    string
	Message string // with the domain's names for fields
	Field   Field  // the domain input at fault, if one
	// Item is 1 + the index of the list item Field belongs to (0: none).
	Item  int
	Param string // the offending input as the wire spells it, if the dialect named it
	Err   error
	// Transient marks an error the same request can get past once something
	// under way ends (the bytes still uploading, a duplicate still running).
	Transient bool
	// RetryAfter is when that is expected (0: shortly).
	RetryAfter time.Duration
	// format and args render Message with another dialect's field names.
	format string
	args   []any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a client-facing error. Field arguments are field names:
// MessageIn renders them in a dialect's vocabulary.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// MessageIn is the message with every field named by name.
func (e *Error) MessageIn(name func(Field) string) string {
	if e.format == "" {
		return e.Message
	}
	args := make([]any, len(e.args))
	for i, a := range e.args {
		if f, ok := a.(Field); ok {
			a = name(f)
		}
		args[i] = a
	}
	return fmt.Sprintf(e.format, args...)
}

// Internal wraps an unexpected cause; clients see only a generic message.
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Code: "internal", Message: "internal error", Err: err}
}

// WithParam returns a copy of e naming the offending input as the wire
// spells it (for what a dialect reads itself).
func (e *Error) WithParam(param string) *Error {
	c := *e
	c.Param = param
	return &c
}

// On returns a copy of e naming the domain input at fault.
func (e *Error) On(f Field) *Error {
	c := *e
	c.Field = f
	return &c
}

// OnItem returns a copy of e naming field f of the list's item at index i.
func (e *Error) OnItem(f Field, i int) *Error {
	c := e.On(f)
	c.Item = i + 1
	return c
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
	return &Error{Kind: KindUnprocessable, Code: rej.Code, Message: "upload rejected: " + rej.Message, Field: rejectionField[rej.Code]}
}

// rejectionField names the declared input each rejection contradicts.
var rejectionField = map[string]Field{
	"size_mismatch":         FieldSizeBytes,
	"too_large":             FieldSizeBytes,
	"content_type_mismatch": FieldMimeType,
	"type_mismatch":         FieldMimeType,
	"type_not_allowed":      FieldMimeType,
	"checksum_mismatch":     FieldMD5,
}
