package bench

import (
	"context"
	"io"
	"maps"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Meter counts what DynamoDB clients asked for: every call gets
// ReturnConsumedCapacity INDEXES, and the capacity each answer reports is
// summed (DynamoDB Local reports it, computed by DynamoDB's rules: item or
// index-entry sizes rounded up to 4 KB per read unit, half for eventually
// consistent reads).
type Meter struct {
	mu       sync.Mutex
	counts   Snapshot
	reported int // calls whose answer carried ConsumedCapacity
}

// Snapshot is a Meter's counts at one moment.
type Snapshot struct {
	Calls          map[string]int
	RCU, WCU       float64
	Items, Scanned int  // items returned, items evaluated
	Failed         int  // calls answered with an error (a failed condition): no capacity reported
	Reported       bool // capacity reported by every call that succeeded
	// Writes are the write units by the written item's kind (its sort key's
	// prefix: F a file record, COUNT and POS the counters', BUCKET the rate
	// limiter's) and where they went: the table or a GSI, by name.
	Writes map[string]float64
}

// Reset clears the counts.
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts, m.reported = Snapshot{Calls: map[string]int{}, Writes: map[string]float64{}}, 0
}

// Snapshot returns the counts so far.
func (m *Meter) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.counts
	s.Calls, s.Writes = maps.Clone(s.Calls), maps.Clone(s.Writes)
	n := total(s.Calls)
	s.RCU, s.WCU, s.Reported = round2(s.RCU), round2(s.WCU), n > 0 && m.reported == n-s.Failed
	return s
}

// Add installs the meter on every DynamoDB call of a client; it goes in
// aws.Config.APIOptions, beside S3Bytes.Add.
func (m *Meter) Add(s *middleware.Stack) error {
	return s.Initialize.Add(middleware.InitializeMiddlewareFunc("BenchMeter", m.handle), middleware.Before)
}

// field is v's field name (v a struct or a pointer to one), or the zero Value.
func field(v any, name string) reflect.Value {
	r := reflect.Indirect(reflect.ValueOf(v))
	if r.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return r.FieldByName(name)
}

// handle reads every operation by the fields they share (ReturnConsumedCapacity, ConsumedCapacity, Count, ...).
func (m *Meter) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	rcc := field(in.Parameters, "ReturnConsumedCapacity")
	if !rcc.IsValid() || reflect.TypeOf(in.Parameters).Elem().PkgPath() != reflect.TypeOf(dynamodb.GetItemInput{}).PkgPath() {
		return next.HandleInitialize(ctx, in)
	}
	rcc.Set(reflect.ValueOf(types.ReturnConsumedCapacityIndexes))
	out, md, err := next.HandleInitialize(ctx, in)
	op := middleware.GetOperationName(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts.Calls == nil {
		m.counts.Calls = map[string]int{}
	}
	m.counts.Calls[op]++
	if err != nil {
		m.counts.Failed++
		return out, md, err
	}
	var ccs []types.ConsumedCapacity
	switch cc := field(out.Result, "ConsumedCapacity").Interface().(type) {
	case *types.ConsumedCapacity:
		if cc != nil {
			ccs = append(ccs, *cc)
		}
	case []types.ConsumedCapacity:
		ccs = cc
	}
	if len(ccs) > 0 {
		m.reported++
	}
	read := strings.HasPrefix(op, "Get") || strings.HasPrefix(op, "BatchGet") || strings.HasPrefix(op, "TransactGet") || op == "Query" || op == "Scan"
	for _, cc := range ccs {
		if read {
			m.counts.RCU += aws.ToFloat64(cc.CapacityUnits)
			continue
		}
		m.counts.WCU += aws.ToFloat64(cc.CapacityUnits)
		if m.counts.Writes == nil {
			m.counts.Writes = map[string]float64{}
		}
		kind := writtenKind(in.Parameters)
		if cc.Table != nil {
			m.counts.Writes[kind+" table"] += aws.ToFloat64(cc.Table.CapacityUnits)
		}
		for index, c := range cc.GlobalSecondaryIndexes {
			m.counts.Writes[kind+" "+index] += aws.ToFloat64(c.CapacityUnits)
		}
	}
	if it := field(out.Result, "Item"); it.IsValid() && !it.IsNil() {
		m.counts.Items++
	}
	if c := field(out.Result, "Count"); c.IsValid() {
		m.counts.Items += int(c.Int())
		m.counts.Scanned += int(field(out.Result, "ScannedCount").Int())
	}
	switch r := field(out.Result, "Responses"); r.Kind() {
	case reflect.Map: // BatchGetItem: items by table
		for iter := r.MapRange(); iter.Next(); {
			m.counts.Items += iter.Value().Len()
		}
	case reflect.Slice: // TransactGetItems
		m.counts.Items += r.Len()
	}
	return out, md, err
}

// writtenKind is the prefix of the sort key a single-item write names
// ("F" for F#<id>), or the operation's shape for batches.
func writtenKind(params any) string {
	for _, name := range []string{"Item", "Key"} {
		if v := field(params, name); v.IsValid() {
			if sk, ok := v.Interface().(map[string]types.AttributeValue)["sk"].(*types.AttributeValueMemberS); ok {
				return strings.SplitN(sk.Value, "#", 2)[0]
			}
		}
	}
	return "batch"
}

// S3Bytes counts the S3 requests a client makes and the response body
// bytes it reads: exactly what validation downloads.
type S3Bytes struct {
	bytes atomic.Int64
	calls atomic.Int64
}

// Add installs the counter next to the transport of every S3 call (each
// attempt is one request), so the operation reads the counted body.
func (c *S3Bytes) Add(s *middleware.Stack) error {
	return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("BenchS3Bytes", c.handle), middleware.After)
}

func (c *S3Bytes) handle(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if awsmiddleware.GetServiceID(ctx) != "S3" {
		return out, md, err
	}
	c.calls.Add(1)
	if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.bytes}
	}
	return out, md, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}
