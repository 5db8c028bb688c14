// Package eventbus publishes Filegate's events to the stack's own
// EventBridge bus (fileevents.Bus): source "filegate", detail-type the
// event type (file.completed, …), detail the same JSON a webhook carries.
// Customers attach rules and targets to the bus; Filegate needs no code
// for them.
package eventbus

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/files"
)

// Source is every event's source on the bus.
const Source = "filegate"

// PutEvents' limits (EventBridge quotas): 10 entries a call, and 256 KB
// for all of a call's entries, each counted as AWS documents it
// (entrySize).
const (
	MaxEntries    = 10
	MaxBatchBytes = 256 * 1024
)

// PutEventsAPI is the one call the bus makes (the SDK's *eventbridge.Client).
type PutEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Bus is the stack's event bus.
type Bus struct {
	Client PutEventsAPI
	Name   string // the bus's name (template.yaml: EVENT_BUS_NAME)
	// Attempts bounds the calls for one batch: entries EventBridge failed
	// (FailedEntryCount; throttling, an internal failure) are put again
	// after Backoff, then Backoff doubled, …
	Attempts int
	Backoff  time.Duration
}

var _ fileevents.Bus = (*Bus)(nil)

// Publish puts msgs in batches within PutEvents' limits. It returns how
// many from the start are on the bus: the stream record of the first one
// that is not is retried (entries after it that went through go again,
// with the same id in their detail).
func (b *Bus) Publish(ctx context.Context, msgs []fileevents.Message) (int, error) {
	done := 0
	for _, batch := range Batches(msgs) {
		n, err := b.put(ctx, msgs[done:done+batch])
		done += n
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// Batches splits msgs into runs of at most MaxEntries entries and
// MaxBatchBytes, returning each run's length.
func Batches(msgs []fileevents.Message) []int {
	var out []int
	n, size := 0, 0
	for _, m := range msgs {
		s := entrySize(m)
		if n > 0 && (n == MaxEntries || size+s > MaxBatchBytes) {
			out = append(out, n)
			n, size = 0, 0
		}
		n, size = n+1, size+s
	}
	if n > 0 {
		out = append(out, n)
	}
	return out
}

// entrySize is an entry's size as PutEvents counts it: Source, DetailType
// and Detail in UTF-8 bytes, plus 14 bytes for its Time.
func entrySize(m fileevents.Message) int {
	return len(Source) + len(m.Type) + len(m.Body) + 14
}

// put puts one batch, retrying the entries that failed; it returns how
// many from the batch's start are on the bus.
func (b *Bus) put(ctx context.Context, batch []fileevents.Message) (int, error) {
	ok := make([]bool, len(batch))
	pending := make([]int, len(batch))
	for i := range pending {
		pending[i] = i
	}
	wait := b.Backoff
	var last error
	for attempt := 0; attempt < max(b.Attempts, 1) && len(pending) > 0; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return prefix(ok), ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		}
		entries := make([]types.PutEventsRequestEntry, len(pending))
		for j, i := range pending {
			m := batch[i]
			entries[j] = types.PutEventsRequestEntry{
				EventBusName: aws.String(b.Name), Source: aws.String(Source),
				DetailType: aws.String(string(m.Type)), Detail: aws.String(string(m.Body)), Time: aws.Time(time.Now()),
			}
		}
		out, err := b.Client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err != nil {
			last = err
			continue
		}
		var still []int
		for j, i := range pending {
			if j < len(out.Entries) && out.Entries[j].ErrorCode == nil && out.Entries[j].EventId != nil {
				ok[i] = true
				continue
			}
			still = append(still, i)
			if j < len(out.Entries) {
				last = fmt.Errorf("entry failed: %s: %s", aws.ToString(out.Entries[j].ErrorCode), aws.ToString(out.Entries[j].ErrorMessage))
			}
		}
		pending = still
	}
	if len(pending) > 0 {
		return prefix(ok), files.Unavailable("the event bus", last)
	}
	return len(batch), nil
}

// prefix counts the leading trues.
func prefix(ok []bool) int {
	for i, v := range ok {
		if !v {
			return i
		}
	}
	return len(ok)
}
