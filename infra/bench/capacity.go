package bench

import (
	"context"
	"io"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Meter counts what a DynamoDB client asked for: every call gets
// ReturnConsumedCapacity TOTAL, and the capacity each answer reports is
// summed (DynamoDB Local reports it, computed by DynamoDB's rules: item or
// index-entry sizes rounded up to 4 KB per read unit, half for eventually
// consistent reads).
type Meter struct {
	mu       sync.Mutex
	Calls    map[string]int
	Read     float64 // read capacity units
	Write    float64 // write capacity units
	Items    int     // items returned
	Scanned  int     // items a Query/Scan evaluated
	Reported int     // calls whose answer carried ConsumedCapacity
}

// Snapshot is a Meter's counts at one moment.
type Snapshot struct {
	Calls    map[string]int `json:"calls"`
	RCU      float64        `json:"read_units"`
	WCU      float64        `json:"write_units"`
	Items    int            `json:"items_returned"`
	Scanned  int            `json:"items_evaluated"`
	Reported bool           `json:"capacity_reported"`
}

// Reset clears the counts.
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Calls, m.Read, m.Write, m.Items, m.Scanned, m.Reported = map[string]int{}, 0, 0, 0, 0, 0
}

// Snapshot returns the counts so far.
func (m *Meter) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	calls := map[string]int{}
	total := 0
	for k, v := range m.Calls {
		calls[k] = v
		total += v
	}
	return Snapshot{Calls: calls, RCU: round2(m.Read), WCU: round2(m.Write), Items: m.Items, Scanned: m.Scanned, Reported: total > 0 && m.Reported == total}
}

// Add installs the meter on every DynamoDB call of a client; it goes in
// aws.Config.APIOptions, beside S3Bytes.Add.
func (m *Meter) Add(s *middleware.Stack) error {
	return s.Initialize.Add(middleware.InitializeMiddlewareFunc("BenchMeter", m.handle), middleware.Before)
}

func (m *Meter) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	total := types.ReturnConsumedCapacityTotal
	switch p := in.Parameters.(type) {
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.ScanInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.BatchGetItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.TransactGetItemsInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.PutItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.UpdateItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.DeleteItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.BatchWriteItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.TransactWriteItemsInput:
		p.ReturnConsumedCapacity = total
	default: // not a DynamoDB call
		return next.HandleInitialize(ctx, in)
	}
	out, md, err := next.HandleInitialize(ctx, in)
	op := middleware.GetOperationName(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Calls == nil {
		m.Calls = map[string]int{}
	}
	m.Calls[op]++
	if err != nil {
		return out, md, err
	}
	var ccs []types.ConsumedCapacity
	write := false
	switch r := out.Result.(type) {
	case *dynamodb.GetItemOutput:
		ccs = one(r.ConsumedCapacity)
		if r.Item != nil {
			m.Items++
		}
	case *dynamodb.QueryOutput:
		ccs = one(r.ConsumedCapacity)
		m.Items += int(r.Count)
		m.Scanned += int(r.ScannedCount)
	case *dynamodb.ScanOutput:
		ccs = one(r.ConsumedCapacity)
		m.Items += int(r.Count)
		m.Scanned += int(r.ScannedCount)
	case *dynamodb.BatchGetItemOutput:
		ccs = r.ConsumedCapacity
		for _, items := range r.Responses {
			m.Items += len(items)
		}
	case *dynamodb.TransactGetItemsOutput:
		ccs = r.ConsumedCapacity
		m.Items += len(r.Responses)
	case *dynamodb.PutItemOutput:
		ccs, write = one(r.ConsumedCapacity), true
	case *dynamodb.UpdateItemOutput:
		ccs, write = one(r.ConsumedCapacity), true
	case *dynamodb.DeleteItemOutput:
		ccs, write = one(r.ConsumedCapacity), true
	case *dynamodb.BatchWriteItemOutput:
		ccs, write = r.ConsumedCapacity, true
	case *dynamodb.TransactWriteItemsOutput:
		ccs, write = r.ConsumedCapacity, true
	}
	if len(ccs) > 0 {
		m.Reported++
	}
	for _, cc := range ccs {
		u := aws.ToFloat64(cc.CapacityUnits)
		if write {
			m.Write += u
		} else {
			m.Read += u
		}
	}
	return out, md, err
}

func one(cc *types.ConsumedCapacity) []types.ConsumedCapacity {
	if cc == nil {
		return nil
	}
	return []types.ConsumedCapacity{*cc}
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
