package fileevents

import (
	"math/rand/v2"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// DeliveryStatus is where a delivery is: it waits for an attempt
// (pending), a receiver took it (delivered), or it ran out of retries
// (failed: its dead-letter record, kept for the log and replay).
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Delivery is one event for one endpoint: its payload, its attempts and,
// while pending, when the next is due.
type Delivery struct {
	EndpointID string
	ProjectID  string
	EventID    string
	EventType  Type
	FileID     files.FileID
	Body       []byte
	Status     DeliveryStatus
	// WindowStart is when the retry window began: the first attempt, or
	// the replay that requeued the delivery.
	WindowStart time.Time
	Attempts    []Attempt
	NextAttempt time.Time // pending only
	// Lease is set while a sender holds the delivery (Claim): its attempt
	// is under way, the claim lapses at Lease if that sender dies, and the
	// attempt's outcome is stored only while the claim is still Lease.
	Lease time.Time
}

// Attempt is one try: when, what the receiver answered (0: no answer), how
// long it took, and what went wrong.
type Attempt struct {
	At         time.Time
	StatusCode int
	Latency    time.Duration
	Error      string
}

// OK reports whether the receiver took the delivery (any 2xx).
func (a Attempt) OK() bool { return a.StatusCode >= 200 && a.StatusCode < 300 }

// MaxLoggedAttempts bounds the attempts a delivery keeps (the newest): a
// schedule of 24 h makes about a dozen; replays add more.
const MaxLoggedAttempts = 20

// DeliveryRetention is how long a delivery's record is kept after its last
// change (DynamoDB TTL): the log and replay reach back this far.
const DeliveryRetention = 14 * 24 * time.Hour

// Backoff is the retry schedule: after the n-th failed attempt the next
// comes min(First·2^(n-1), Max) later, lengthened by up to Jitter of
// itself at random, until an attempt fails Window or more after the first;
// that delivery is then dead-lettered. Every delivery is so tried for at
// least Window (Standard Webhooks senders retry for about a day).
type Backoff struct {
	First, Max, Window time.Duration
	Jitter             float64
	Rand               func() float64 // [0, 1); nil: math/rand
}

// DefaultBackoff: 1 min, 2, 4, … 6 h between attempts, for at least 24 h
// (12 attempts), each delay up to 20 % longer so receivers that come back
// are not hit by every retry at once.
var DefaultBackoff = Backoff{First: time.Minute, Max: 6 * time.Hour, Window: 24 * time.Hour, Jitter: 0.2}

// Next is when to try again after the n-th attempt (counting from 1)
// failed at at, in a window that began at start; dead is true when the
// window has passed.
func (b Backoff) Next(n int, start, at time.Time) (next time.Time, dead bool) {
	if at.Sub(start) >= b.Window {
		return time.Time{}, true
	}
	d := b.First
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	r := b.Rand
	if r == nil {
		r = rand.Float64
	}
	d += time.Duration(float64(d) * b.Jitter * r())
	return at.Add(d), false
}
