package streamevents_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/streamevents"
)

// sample is the events/ TTL removal record: a COMPLETED file's old image.
func sample(t *testing.T) events.DynamoDBEventRecord {
	t.Helper()
	raw, err := os.ReadFile("../../events/dynamodb-ttl-remove.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("sample: %d records, %v", len(ev.Records), err)
	}
	return ev.Records[0]
}

// removal is the sample's record for another file id, at sequence seq.
func removal(t *testing.T, id, seq string) events.DynamoDBEventRecord {
	r := sample(t)
	img := maps.Clone(r.Change.OldImage)
	project := img["projectId"].String()
	img["id"], img["lsk"] = events.NewStringAttribute(id), events.NewStringAttribute(id)
	img["sk"] = events.NewStringAttribute("F#" + id)
	img["objectKey"] = events.NewStringAttribute(files.ObjectKey(project, files.MustParseFileID(id)))
	r.Change.OldImage, r.Change.SequenceNumber = img, seq
	return r
}

// stubObjects records what the cleanup asked of it.
type stubObjects struct {
	deleted []string
	fail    string // a key whose delete fails
}

func (o *stubObjects) AbortMultipart(context.Context, string, string) error { return nil }

func (o *stubObjects) Delete(_ context.Context, key string) error {
	if key == o.fail {
		return files.Unavailable("object storage", errors.New("down"))
	}
	o.deleted = append(o.deleted, key)
	return nil
}

const (
	idA = "fil_06H0EN1ZAP202AP5WPNPHXF894"
	idB = "fil_06H0EN1ZAP202AP5WPNPHXF898"
	idC = "fil_06H0EN1ZAP202AP5WPNPHXF89C"
)

// TTL removals delete their objects, in order; a client's
// delete (not TTL) and items that are not files are left alone; the first
// failure stops the batch and is reported as its item failure, so Lambda
// resumes there and nothing after it ran.
func TestCleanupStopsAtTheFirstFailure(t *testing.T) {
	a, b, c := removal(t, idA, "100"), removal(t, idB, "200"), removal(t, idC, "300")
	byClient := removal(t, idC, "050")
	byClient.UserIdentity = nil
	counter := removal(t, idC, "060")
	counter.Change.OldImage = map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute("P#x"), "sk": events.NewStringAttribute("COUNT")}
	project := a.Change.OldImage["projectId"].String()

	objects := &stubObjects{fail: files.ObjectKey(project, files.MustParseFileID(idB))}
	cleanup := &streamevents.Cleanup{Expiry: files.NewExpiry(objects, files.Options{}), Log: slog.New(slog.DiscardHandler)}
	resp, err := cleanup.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{byClient, counter, a, b, c}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{files.ObjectKey(project, files.MustParseFileID(idA))}; !slices.Equal(objects.deleted, want) {
		t.Errorf("deleted %v, want %v", objects.deleted, want)
	}
	if want := []events.DynamoDBBatchItemFailure{{ItemIdentifier: "200"}}; !slices.Equal(resp.BatchItemFailures, want) {
		t.Errorf("batch item failures %v, want %v", resp.BatchItemFailures, want)
	}
}

func TestIsTTLRemove(t *testing.T) {
	r := sample(t)
	if !streamevents.IsTTLRemove(r) {
		t.Error("the sample is not a TTL removal")
	}
	byUser := r
	byUser.UserIdentity = &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "someone"}
	modify := r
	modify.EventName = "MODIFY"
	for name, rec := range map[string]events.DynamoDBEventRecord{"another principal": byUser, "a MODIFY": modify} {
		if streamevents.IsTTLRemove(rec) {
			t.Errorf("%s counts as a TTL removal", name)
		}
	}
}

// Every attribute type a stream image carries converts to the SDK's.
func TestItemFromImage(t *testing.T) {
	img := map[string]events.DynamoDBAttributeValue{
		"s": events.NewStringAttribute("x"), "n": events.NewNumberAttribute("42"), "b": events.NewBinaryAttribute([]byte{1, 2}),
		"bool": events.NewBooleanAttribute(true), "null": events.NewNullAttribute(),
		"ss": events.NewStringSetAttribute([]string{"a", "b"}), "ns": events.NewNumberSetAttribute([]string{"1"}),
		"bs": events.NewBinarySetAttribute([][]byte{{3}}),
		"l":  events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewStringAttribute("y")}),
		"m":  events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"k": events.NewNumberAttribute("1")}),
	}
	item, err := streamevents.ItemFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]types.AttributeValue{
		"s": &types.AttributeValueMemberS{Value: "x"}, "n": &types.AttributeValueMemberN{Value: "42"}, "b": &types.AttributeValueMemberB{Value: []byte{1, 2}},
		"bool": &types.AttributeValueMemberBOOL{Value: true}, "null": &types.AttributeValueMemberNULL{Value: true},
		"ss": &types.AttributeValueMemberSS{Value: []string{"a", "b"}}, "ns": &types.AttributeValueMemberNS{Value: []string{"1"}},
		"bs": &types.AttributeValueMemberBS{Value: [][]byte{{3}}},
		"l":  &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "y"}}},
		"m":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": &types.AttributeValueMemberN{Value: "1"}}},
	}
	for name, w := range want {
		if got, ok := item[name]; !ok || !equalAttr(got, w) {
			t.Errorf("%s: %#v, want %#v", name, got, w)
		}
	}
	if len(item) != len(want) {
		t.Errorf("%d attributes, want %d", len(item), len(want))
	}
}

// equalAttr compares attribute values by type and, for scalars, by their
// JSON form (the SDK's types carry unexported no-copy markers).
func equalAttr(a, b types.AttributeValue) bool {
	if reflect.TypeOf(a) != reflect.TypeOf(b) {
		return false
	}
	switch a := a.(type) {
	case *types.AttributeValueMemberL:
		return slices.EqualFunc(a.Value, b.(*types.AttributeValueMemberL).Value, equalAttr)
	case *types.AttributeValueMemberM:
		return maps.EqualFunc(a.Value, b.(*types.AttributeValueMemberM).Value, equalAttr)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
