package eventbus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/filegate/filegate/shared/eventbus"
	"github.com/filegate/filegate/shared/fileevents"
)

// fakeEventBridge speaks PutEvents' wire protocol (AWS JSON 1.1, target
// AWSEvents.PutEvents) as EventBridge documents it: it refuses calls past
// the API's limits, and fails the entries fail says (by detail id) the
// first times they come, answering FailedEntryCount and each entry's error.
type fakeEventBridge struct {
	mu    sync.Mutex
	calls int
	put   []entry        // entries accepted, in order
	fail  map[string]int // detail id → times to fail it
	tries map[string]int // detail id → times seen
	bad   []string       // protocol violations
}

type entry struct {
	EventBusName, Source, DetailType, Detail string
	Time                                     float64
}

func (f *fakeEventBridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if r.Header.Get("X-Amz-Target") != "AWSEvents.PutEvents" || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" ||
		!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		f.bad = append(f.bad, fmt.Sprintf("target %q content-type %q auth %q", r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"), r.Header.Get("Authorization")))
	}
	var in struct{ Entries []entry }
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	size := 0
	for _, e := range in.Entries {
		size += len(e.Source) + len(e.DetailType) + len(e.Detail) + 14
	}
	if len(in.Entries) > eventbus.MaxEntries || size > eventbus.MaxBatchBytes {
		f.bad = append(f.bad, fmt.Sprintf("a call of %d entries, %d bytes", len(in.Entries), size))
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"__type":"ValidationException","message":"too big"}`)
		return
	}
	type result struct {
		EventId      string `json:",omitempty"`
		ErrorCode    string `json:",omitempty"`
		ErrorMessage string `json:",omitempty"`
	}
	out := struct {
		FailedEntryCount int
		Entries          []result
	}{}
	for _, e := range in.Entries {
		var d struct{ ID string }
		_ = json.Unmarshal([]byte(e.Detail), &d)
		f.tries[d.ID]++
		if f.fail[d.ID] >= f.tries[d.ID] {
			out.FailedEntryCount++
			out.Entries = append(out.Entries, result{ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded"})
			continue
		}
		f.put = append(f.put, e)
		out.Entries = append(out.Entries, result{EventId: fmt.Sprintf("eb-%d", len(f.put))})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func newBus(t *testing.T, fake *fakeEventBridge) *eventbus.Bus {
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client := eventbridge.New(eventbridge.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	return &eventbus.Bus{Client: client, Name: "stack-file-events", Attempts: 3, Backoff: time.Millisecond}
}

func messages(n, size int) []fileevents.Message {
	out := make([]fileevents.Message, n)
	for i := range out {
		id := fmt.Sprintf("evt_%03d", i)
		body, _ := json.Marshal(map[string]string{"id": id, "pad": strings.Repeat("x", size)})
		out[i] = fileevents.Message{ID: id, Type: fileevents.Completed, Body: body}
	}
	return out
}

// Through the SDK's real client: batches of at most 10 entries and 256 KB,
// in order, each on the stack's bus with source filegate and the event type
// as detail-type; entries EventBridge failed (FailedEntryCount) are put
// again until they go through.
func TestPublishBatchesWithinLimitsAndRetriesFailedEntries(t *testing.T) {
	fake := &fakeEventBridge{fail: map[string]int{"evt_003": 1, "evt_011": 2}, tries: map[string]int{}}
	bus := newBus(t, fake)
	msgs := append(messages(23, 100), messages(4, 100_000)...) // the big ones: two fit a call
	for i := 23; i < len(msgs); i++ {
		msgs[i].ID = fmt.Sprintf("evt_big%d", i)
		msgs[i].Body = []byte(strings.Replace(string(msgs[i].Body), `"id":"evt_`, `"id":"evt_big`, 1))
	}
	n, err := bus.Publish(context.Background(), msgs)
	if err != nil || n != len(msgs) {
		t.Fatalf("published %d of %d: %v", n, len(msgs), err)
	}
	if len(fake.bad) > 0 {
		t.Errorf("calls the API would refuse: %v", fake.bad)
	}
	if len(fake.put) != len(msgs) {
		t.Fatalf("%d entries on the bus, want %d", len(fake.put), len(msgs))
	}
	for _, e := range fake.put {
		if e.EventBusName != "stack-file-events" || e.Source != "filegate" || e.DetailType != "file.completed" || e.Time == 0 {
			t.Errorf("entry %+v", e)
		}
	}
	// Batches of 10, 10, 5 (3 small and 2 big: 200 KB) and 2 big: 4 calls,
	// one more for 003's batch and two more for 011's.
	if want := 4 + 1 + 2; fake.calls != want {
		t.Errorf("%d PutEvents calls, want %d", fake.calls, want)
	}
}

// An entry that keeps failing past the attempts: Publish says how many
// from the start went through, so the consumer retries from that event.
func TestPublishReportsThePrefixThatWentThrough(t *testing.T) {
	fake := &fakeEventBridge{fail: map[string]int{"evt_012": 99}, tries: map[string]int{}}
	bus := newBus(t, fake)
	n, err := bus.Publish(context.Background(), messages(25, 10))
	if err == nil || n != 12 {
		t.Fatalf("published %d, err %v; want 12 and an error", n, err)
	}
	if fake.tries["evt_020"] != 0 {
		t.Error("a batch after the failing one was put")
	}
}

func TestBatches(t *testing.T) {
	for _, tc := range []struct {
		n, size int
		want    []int
	}{
		{0, 10, nil}, {1, 10, []int{1}}, {10, 10, []int{10}}, {11, 10, []int{10, 1}},
		{5, 100_000, []int{2, 2, 1}}, {3, 262_000, []int{1, 1, 1}},
	} {
		got := eventbus.Batches(messages(tc.n, tc.size))
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%d messages of %d bytes: batches %v, want %v", tc.n, tc.size, got, tc.want)
		}
	}
}
