package streamfeed

import (
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TTLMarks tells the stream's REMOVE records the TTL sweeper made from a
// client's: on AWS a TTL removal's record carries userIdentity
// dynamodb.amazonaws.com in every consumer's copy, while DynamoDB Local's
// stream shows the sweeper's DeleteItem like any other. The sweeper marks
// each item before it deletes it; a stream feed with marks gives the
// matching REMOVE that userIdentity. Marks live in memory: a stack killed
// between the sweeper's delete and the feed's read announces that removal
// as a client's (a local limit only).
type TTLMarks struct {
	mu    sync.Mutex
	marks map[string]bool
}

func ttlMarkKey(pk, sk, ttl string) string { return pk + "\x00" + sk + "\x00" + ttl }

// mark records that the sweeper is deleting the item keyed pk, sk whose
// ttl is ttl (its number as written).
func (m *TTLMarks) mark(key map[string]types.AttributeValue, ttl types.AttributeValue) string {
	k := ttlMarkKey(attrString(key["pk"]), attrString(key["sk"]), attrNumber(ttl))
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.marks == nil {
		m.marks = map[string]bool{}
	}
	m.marks[k] = true
	return k
}

// unmark forgets a mark whose delete did not happen.
func (m *TTLMarks) unmark(k string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.marks, k)
}

// annotate gives rec TTL's userIdentity if it is the REMOVE of a marked
// deletion, and forgets the mark.
func (m *TTLMarks) annotate(rec *events.DynamoDBEventRecord) {
	if rec.EventName != string(events.DynamoDBOperationTypeRemove) {
		return
	}
	c := rec.Change
	k := ttlMarkKey(streamString(c.Keys["pk"]), streamString(c.Keys["sk"]), streamNumber(c.OldImage["ttl"]))
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.marks[k] {
		delete(m.marks, k)
		rec.UserIdentity = &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	}
}

func attrString(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func attrNumber(v types.AttributeValue) string {
	if n, ok := v.(*types.AttributeValueMemberN); ok {
		return n.Value
	}
	return ""
}

func streamString(v events.DynamoDBAttributeValue) string {
	if v.DataType() == events.DataTypeString {
		return v.String()
	}
	return ""
}

func streamNumber(v events.DynamoDBAttributeValue) string {
	if v.DataType() == events.DataTypeNumber {
		return v.Number()
	}
	return ""
}
