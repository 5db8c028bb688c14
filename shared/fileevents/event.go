// Package fileevents is Filegate's events: what a stored change of a file
// record means to a customer's backend (file.completed, file.rejected,
// file.cancelled, file.expired, file.deleted), and how it reaches them: the
// stack's EventBridge bus, and per-project webhook endpoints whose deliveries
// are signed per the Standard Webhooks specification, retried with backoff
// and dead-lettered. It owns the model (Event, Endpoint, Delivery), the
// retry schedule, the ports its adapters implement (ports.go) and the use
// cases:
//
//	Dispatcher  the stream consumer: one event per transition, published to
//	            the bus and delivered once straight away to each endpoint
//	Sender      the scheduled sender: the deliveries due for a retry
//	Endpoints   registering, listing, deleting endpoints, rotating secrets,
//	            the delivery log and replay (the HTTP routes)
package fileevents

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Type is an event's type, as webhooks and EventBridge (detail-type) name it.
type Type string

const (
	Completed Type = "file.completed"
	Rejected  Type = "file.rejected"
	Cancelled Type = "file.cancelled"
	Expired   Type = "file.expired"
	Deleted   Type = "file.deleted"
)

// Types lists every event type.
var Types = []Type{Completed, Rejected, Cancelled, Expired, Deleted}

// Why a file was deleted (file.deleted's reason).
const (
	ReasonAPI       = "api"       // a DELETE through either API
	ReasonRetention = "retention" // DynamoDB TTL removed the record
)

// Event is one transition of one file.
type Event struct {
	// ID is stable: every delivery of the event, and every redelivery of
	// the stream record it came from, carries the same id (EventID).
	ID             string
	Type           Type
	Time           time.Time
	OrganizationID string
	ProjectID      string
	// File is the record as the change left it (deleted: as it was).
	File   *files.File
	Reason string // file.deleted only
}

// Change is one stored change of a file record, as the table's stream
// reports it: the record before (nil for an insert) and after (nil for a
// removal), whether TTL made the removal, and when the change was stored.
type Change struct {
	Old, New *files.File
	ByTTL    bool
	At       time.Time
}

// Event is the event c is, if any: a record entering COMPLETED, REJECTED,
// CANCELLED or EXPIRED, or leaving the table. Transitions are conditional
// writes from PENDING, so each file has at most one event of each type.
func (c Change) Event() (Event, bool) {
	if c.New == nil {
		if c.Old == nil {
			return Event{}, false
		}
		ev := Event{Type: Deleted, File: c.Old, Reason: ReasonAPI, Time: c.At}
		if c.ByTTL {
			ev.Reason = ReasonRetention
		}
		if ev.Time.IsZero() {
			ev.Time = c.Old.UpdatedAt
		}
		return ev.withID(), true
	}
	if c.Old != nil && c.Old.Status == c.New.Status {
		return Event{}, false
	}
	t, ok := statusEvents[c.New.Status]
	if !ok {
		return Event{}, false // PENDING: a session opened, nothing settled
	}
	return Event{Type: t, File: c.New, Time: c.New.UpdatedAt}.withID(), true
}

var statusEvents = map[files.Status]Type{
	files.StatusCompleted: Completed,
	files.StatusRejected:  Rejected,
	files.StatusCancelled: Cancelled,
	files.StatusExpired:   Expired,
}

func (ev Event) withID() Event {
	ev.OrganizationID, ev.ProjectID = ev.File.OrganizationID, ev.File.ProjectID
	ev.Time = ev.Time.UTC()
	ev.ID = EventID(ev.File.ID, ev.Type, ev.Time)
	return ev
}

// idEncoding is the Crockford base32 of file ids: URL-safe, sorts like the bytes.
var idEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// EventID is "evt_" + 26 characters: the event's time (48 bits of Unix
// milliseconds, so ids sort by time) and 80 bits of SHA-256 of the file id
// and the type. A file has one event of each type, so the id is the same
// however often the change is read, and a receiver dedupes on it.
func EventID(fileID files.FileID, t Type, at time.Time) string {
	h := sha256.Sum256([]byte("filegate event\x00" + fileID.String() + "\x00" + string(t)))
	var b [16]byte
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(b[:6], ms[2:])
	copy(b[6:], h[:10])
	return "evt_" + idEncoding.EncodeToString(b[:])
}

// ValidEventID reports whether s is spelled as EventID spells ids.
func ValidEventID(s string) bool {
	if len(s) != 30 || s[:4] != "evt_" {
		return false
	}
	b, err := idEncoding.DecodeString(s[4:])
	return err == nil && len(b) == 16 && idEncoding.EncodeToString(b) == s[4:]
}
