package fileevents_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/rootsecret"
)

var t0 = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// Four file ids, in their stored spelling.
const (
	fileA   = "fil_06H0EN1ZAP202AP5WPNPHXF8A0"
	fileB   = "fil_06H0EN1ZAP202AP5WPNPHXF8B0"
	fileC   = "fil_06H0EN1ZAP202AP5WPNPHXF8C0"
	fileNew = "fil_06H0EN1ZAP202AP5WPNPHXF8D0"
)

func file(id string, s files.Status) *files.File {
	return &files.File{ID: files.MustParseFileID(id), ProjectID: "p", OrganizationID: "o", Status: s, UpdatedAt: t0}
}

// One event per transition into a settled state, and per removal (its
// reason TTL's or a client's); none for a new session or a change that
// keeps the status. The id is the same however often the change is read.
func TestChangeEvent(t *testing.T) {
	id := "fil_06H0EN1ZAP202AP5WPNPHXF894"
	for name, tc := range map[string]struct {
		c            fileevents.Change
		typ          fileevents.Type
		reason, none string
	}{
		"completed":           {c: fileevents.Change{Old: file(id, files.StatusPending), New: file(id, files.StatusCompleted)}, typ: fileevents.Completed},
		"rejected":            {c: fileevents.Change{Old: file(id, files.StatusPending), New: file(id, files.StatusRejected)}, typ: fileevents.Rejected},
		"cancelled":           {c: fileevents.Change{Old: file(id, files.StatusPending), New: file(id, files.StatusCancelled)}, typ: fileevents.Cancelled},
		"expired":             {c: fileevents.Change{Old: file(id, files.StatusPending), New: file(id, files.StatusExpired)}, typ: fileevents.Expired},
		"deleted by a DELETE": {c: fileevents.Change{Old: file(id, files.StatusCompleted), At: t0}, typ: fileevents.Deleted, reason: "api"},
		"deleted by TTL":      {c: fileevents.Change{Old: file(id, files.StatusCompleted), ByTTL: true, At: t0}, typ: fileevents.Deleted, reason: "retention"},
		"a new session":       {c: fileevents.Change{New: file(id, files.StatusPending)}, none: "no event"},
		"same status":         {c: fileevents.Change{Old: file(id, files.StatusCompleted), New: file(id, files.StatusCompleted)}, none: "no event"},
		"nothing":             {c: fileevents.Change{}, none: "no event"},
	} {
		ev, ok := tc.c.Event()
		if tc.none != "" {
			if ok {
				t.Errorf("%s: event %+v, want none", name, ev)
			}
			continue
		}
		if !ok || ev.Type != tc.typ || ev.Reason != tc.reason || ev.ProjectID != "p" || ev.OrganizationID != "o" || !fileevents.ValidEventID(ev.ID) {
			t.Errorf("%s: %+v %v, want %s (%q)", name, ev, ok, tc.typ, tc.reason)
		}
		if again, _ := tc.c.Event(); again.ID != ev.ID {
			t.Errorf("%s: two reads, two ids", name)
		}
	}
	fid := files.MustParseFileID(id)
	a := fileevents.EventID(fid, fileevents.Completed, t0)
	if a == fileevents.EventID(fid, fileevents.Deleted, t0) || a == fileevents.EventID(files.MustParseFileID("fil_06H0EN1ZAP202AP5WPNPHXF898"), fileevents.Completed, t0) {
		t.Error("ids do not tell events apart")
	}
	if later := fileevents.EventID(fid, fileevents.Deleted, t0.Add(time.Second)); later <= a {
		t.Error("ids do not sort by time")
	}
}

// The schedule: delays double from First up to Max, each lengthened by up
// to Jitter, and a delivery is dead only once an attempt failed Window or
// more after the first: every delivery is tried for at least Window.
func TestBackoff(t *testing.T) {
	b := fileevents.DefaultBackoff
	b.Rand = func() float64 { return 0 }
	start, at := t0, t0
	var delays []time.Duration
	for n := 1; ; n++ {
		next, dead := b.Next(n, start, at)
		if dead {
			if at.Sub(start) < b.Window {
				t.Fatalf("dead after %s, before the window %s", at.Sub(start), b.Window)
			}
			break
		}
		delays = append(delays, next.Sub(at))
		at = next
		if n > 100 {
			t.Fatal("never dead")
		}
	}
	if delays[0] != time.Minute || delays[1] != 2*time.Minute || slices.Max(delays) != 6*time.Hour {
		t.Errorf("delays %v: want 1 min, 2 min, … up to 6 h", delays)
	}
	if n := len(delays) + 1; n < 10 || n > 14 {
		t.Errorf("%d attempts in the default schedule", n)
	}
	b.Rand = func() float64 { return 0.999 }
	if next, _ := b.Next(1, t0, t0); next.Sub(t0) < time.Minute || next.Sub(t0) > time.Minute*12/10 {
		t.Errorf("jittered first delay %s, want 1 to 1.2 min", next.Sub(t0))
	}
}

type fakeEndpoints struct {
	eps map[string][]*fileevents.Endpoint
}

func (f fakeEndpoints) Endpoints(_ context.Context, p string) ([]*fileevents.Endpoint, error) {
	return f.eps[p], nil
}

type fakeDeliveries struct {
	mu       sync.Mutex
	recorded []*fileevents.Delivery
	failFile files.FileID
}

func (f *fakeDeliveries) Record(_ context.Context, d *fileevents.Delivery) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d.FileID == f.failFile {
		return files.Unavailable("storage", errors.New("down"))
	}
	f.recorded = append(f.recorded, d)
	return nil
}

type fakePoster struct {
	mu     sync.Mutex
	posted []string
	status int
}

func (p *fakePoster) Post(_ context.Context, _ string, m fileevents.Message, keys [][]byte) fileevents.Attempt {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posted = append(p.posted, m.ID)
	return fileevents.Attempt{StatusCode: p.status}
}

type fakeBus struct{ n int }

func (b *fakeBus) Publish(_ context.Context, msgs []fileevents.Message) (int, error) {
	if b.n < len(msgs) {
		return b.n, errors.New("throttled")
	}
	return len(msgs), nil
}

type root struct{ vs rootsecret.Versions }

func (r root) Versions(context.Context) (rootsecret.Versions, error) { return r.vs, nil }
func (r root) Lookup(_ context.Context, tag string) (rootsecret.Version, bool, error) {
	v, ok := r.vs.ByTag(tag)
	return v, ok, nil
}

func dispatcher(t *testing.T, d *fakeDeliveries, p *fakePoster, bus fileevents.Bus) *fileevents.Dispatcher {
	vs, err := rootsecret.Parse([]byte(strings.Repeat("r", 40)), nil)
	if err != nil {
		t.Fatal(err)
	}
	ep := &fileevents.Endpoint{ID: "we_1", ProjectID: "p", URL: "https://hooks.example.com", EventTypes: fileevents.Types, Secret: fileevents.SecretRef{Version: 1, RootTag: vs.Current.Tag()}}
	return &fileevents.Dispatcher{
		Endpoints: fakeEndpoints{eps: map[string][]*fileevents.Endpoint{"p": {ep}}}, Deliveries: d, Poster: p, Bus: bus,
		Root: root{vs}, Render: func(f *files.File, _ time.Time) any { return map[string]string{"id": f.ID.String()} },
		Backoff: fileevents.DefaultBackoff, Clock: func() time.Time { return t0 }, Log: slog.New(slog.DiscardHandler), Parallel: 4,
	}
}

func completedChanges(ids ...string) []fileevents.Change {
	var out []fileevents.Change
	for _, id := range ids {
		out = append(out, fileevents.Change{Old: file(id, files.StatusPending), New: file(id, files.StatusCompleted)})
	}
	return out
}

// A batch is done up to its first change whose deliveries could not all
// be recorded, or that the bus did not take: the stream redelivers from
// there, so nothing is lost; a failed first attempt is recorded pending,
// due by the schedule.
func TestDispatch(t *testing.T) {
	changes := completedChanges(fileA, fileB, fileC)
	changes = slices.Insert(changes, 1, fileevents.Change{New: file(fileNew, files.StatusPending)}) // no event

	d, p := &fakeDeliveries{}, &fakePoster{status: 204}
	if done, err := dispatcher(t, d, p, nil).Dispatch(context.Background(), changes); err != nil || done != 4 {
		t.Fatalf("done %d, %v; want all 4", done, err)
	}
	if len(d.recorded) != 3 || len(p.posted) != 3 || d.recorded[0].Status != fileevents.DeliveryDelivered {
		t.Errorf("recorded %d, posted %d", len(d.recorded), len(p.posted))
	}

	d = &fakeDeliveries{failFile: files.MustParseFileID(fileB)}
	if done, err := dispatcher(t, d, &fakePoster{status: 204}, nil).Dispatch(context.Background(), changes); err == nil || done != 2 {
		t.Errorf("with fil_b's record failing: done %d, %v; want 2 (fil_b's change) and an error", done, err)
	}

	d = &fakeDeliveries{}
	if done, err := dispatcher(t, d, &fakePoster{status: 204}, &fakeBus{n: 1}).Dispatch(context.Background(), changes); err == nil || done != 2 {
		t.Errorf("with the bus taking one event: done %d, %v; want 2 and an error", done, err)
	}
	if len(d.recorded) != 1 {
		t.Errorf("%d deliveries of events the bus did not take", len(d.recorded)-1)
	}

	d = &fakeDeliveries{}
	if _, err := dispatcher(t, d, &fakePoster{status: 500}, nil).Dispatch(context.Background(), completedChanges(fileA)); err != nil {
		t.Fatal(err)
	}
	if r := d.recorded[0]; r.Status != fileevents.DeliveryPending || !r.NextAttempt.After(t0) || len(r.Attempts) != 1 || r.Attempts[0].StatusCode != 500 {
		t.Errorf("a failed first attempt recorded as %+v, want pending with its attempt", r)
	}
}
