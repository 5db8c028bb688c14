package historycheck

import (
	"math"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
)

// Infinity is the return time of a call whose outcome is unknown: it may
// take effect at any moment after its start, even after every other call.
const Infinity = math.MaxInt64

// Recorder collects the calls of concurrent clients, each with its start,
// its end and what its client saw, and the faults injected meanwhile (shown
// in the visualisation). It is safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	origin time.Time
	ops    []porcupine.Operation
	faults []porcupine.Annotation
}

// NewRecorder starts a history; times are nanoseconds since now.
func NewRecorder() *Recorder { return &Recorder{origin: time.Now()} }

func (r *Recorder) now() int64 { return int64(time.Since(r.origin)) }

// Call is a call in flight.
type Call struct {
	r      *Recorder
	client int
	in     Input
	start  int64
}

// Begin records the start of client's call in (clients count from 0).
func (r *Recorder) Begin(client int, in Input) *Call {
	return &Call{r: r, client: client, in: in, start: r.now()}
}

// End records the call's answer. A call whose outcome is unknown
// (out.Unknown) returns at Infinity; one that cannot have changed anything
// (a read, or a create that named no file) is left out, which is the same
// to the checker and keeps its search small.
func (c *Call) End(out Output) {
	end := c.r.now()
	if out.Unknown {
		switch c.in.Kind {
		case Get, Download, Fetch:
			return
		}
		end = Infinity
	}
	if c.in.File == "" {
		return
	}
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.r.ops = append(c.r.ops, porcupine.Operation{ClientId: c.client, Input: c.in, Call: c.start, Output: out, Return: end})
}

// EndCreate records a create's answer, with the id it gave (none when the
// create failed or its answer was lost).
func (c *Call) EndCreate(id string, out Output) {
	c.in.File = id
	c.End(out)
}

// Fault records a fault injected from start to now (tag: which part).
func (r *Recorder) Fault(tag, description string, start time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = append(r.faults, porcupine.Annotation{
		Tag: tag, Start: int64(start.Sub(r.origin)), End: r.now(), Description: description, BackgroundColor: "#f4c7c3",
	})
}

// Operations is the history so far.
func (r *Recorder) Operations() []porcupine.Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]porcupine.Operation(nil), r.ops...)
}

// Faults are the faults recorded so far.
func (r *Recorder) Faults() []porcupine.Annotation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]porcupine.Annotation(nil), r.faults...)
}
