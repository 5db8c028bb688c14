package streamevents_test

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/streamevents"
)

// recordingCounts records what the consumer asked the store to add.
type recordingCounts struct {
	calls []applied
	fail  string // a project whose update fails
}

type applied struct {
	project, shard string
	changes        []files.CountChange
}

func (r *recordingCounts) ApplyCounts(_ context.Context, projectID, shard string, ch []files.CountChange) error {
	if projectID == r.fail {
		return files.Unavailable("storage", errors.New("down"))
	}
	r.calls = append(r.calls, applied{projectID, shard, ch})
	return nil
}

// withStatus is the sample's file image (project p) in status s.
func withStatus(t *testing.T, project, status string) map[string]events.DynamoDBAttributeValue {
	img := map[string]events.DynamoDBAttributeValue{}
	for k, v := range sample(t).Change.OldImage {
		img[k] = v
	}
	img["projectId"], img["pk"] = events.NewStringAttribute(project), events.NewStringAttribute("P#"+project)
	img["status"] = events.NewStringAttribute(status)
	return img
}

func rec(name, seq string, old, new map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{SequenceNumber: seq, OldImage: old, NewImage: new}}
}

func window(shard string, recs ...events.DynamoDBEventRecord) events.DynamoDBTimeWindowEvent {
	ev := events.DynamoDBTimeWindowEvent{DynamoDBEvent: events.DynamoDBEvent{Records: recs}}
	ev.ShardID = shard
	return ev
}

// Each file record's change moves its project's counts: an INSERT adds a
// file, a REMOVE takes one away, entering or leaving COMPLETED moves the
// completed count; other items (counters, keys) count nothing. Projects are
// updated once each, in the order of their first record, under the batch's
// shard.
func TestCountersTurnRecordsIntoChanges(t *testing.T) {
	const p, q = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42", "0c1b2a39-4d5e-4f60-8172-93a4b5c6d7e8"
	pending, done, rejected := withStatus(t, p, "PENDING"), withStatus(t, p, "COMPLETED"), withStatus(t, p, "REJECTED")
	counter := map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute("P#" + p), "sk": events.NewStringAttribute("COUNT")}
	store := &recordingCounts{}
	h := &streamevents.Counters{Store: store, Log: slog.New(slog.DiscardHandler)}
	resp, err := h.Handle(context.Background(), window("shard-9",
		rec("INSERT", "1", nil, pending),
		rec("INSERT", "2", nil, withStatus(t, q, "COMPLETED")),
		rec("MODIFY", "3", pending, done),
		rec("MODIFY", "4", counter, counter),
		rec("MODIFY", "5", done, rejected),
		rec("REMOVE", "6", rejected, nil),
		rec("REMOVE", "7", withStatus(t, q, "COMPLETED"), nil),
	))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%v %+v", err, resp.BatchItemFailures)
	}
	id := files.MustParseFileID(sample(t).Change.OldImage["id"].String()) // every image here is the sample's file; its id places it in the position counts
	size, _ := sample(t).Change.OldImage["sizeBytes"].Integer()           // held files (PENDING, COMPLETED) count their bytes
	want := []applied{
		{p, "shard-9", []files.CountChange{{Seq: "1", ID: id, Files: 1, Held: 1, Bytes: size}, {Seq: "3", ID: id, Completed: 1}, {Seq: "5", ID: id, Completed: -1, Held: -1, Bytes: -size}, {Seq: "6", ID: id, Files: -1}}},
		{q, "shard-9", []files.CountChange{{Seq: "2", ID: id, Files: 1, Completed: 1, Held: 1, Bytes: size}, {Seq: "7", ID: id, Files: -1, Completed: -1, Held: -1, Bytes: -size}}},
	}
	if !reflect.DeepEqual(store.calls, want) {
		t.Errorf("applied %+v,\nwant %+v", store.calls, want)
	}
}

// A failed project's first record is the batch item failure, and the
// projects after it wait for the redelivery; a batch without a shard id (a
// mapping without a tumbling window) is an error, never a guess.
func TestCountersReportTheFailedProjectsFirstRecord(t *testing.T) {
	const p, q, r = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42", "0c1b2a39-4d5e-4f60-8172-93a4b5c6d7e8", "5b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e"
	store := &recordingCounts{fail: q}
	h := &streamevents.Counters{Store: store, Log: slog.New(slog.DiscardHandler)}
	ev := window("s", rec("INSERT", "10", nil, withStatus(t, p, "PENDING")), rec("INSERT", "11", nil, withStatus(t, q, "PENDING")),
		rec("INSERT", "12", nil, withStatus(t, r, "PENDING")), rec("INSERT", "13", nil, withStatus(t, p, "PENDING")))
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if want := []events.DynamoDBBatchItemFailure{{ItemIdentifier: "11"}}; !reflect.DeepEqual(resp.BatchItemFailures, want) {
		t.Errorf("failures %+v, want %+v", resp.BatchItemFailures, want)
	}
	if len(store.calls) != 1 || store.calls[0].project != p {
		t.Errorf("applied %+v, want only the project before the failure", store.calls)
	}
	if _, err := h.Handle(context.Background(), window("", ev.Records...)); err == nil {
		t.Error("a batch without a shard id was accepted")
	}
}
