package bench

import (
	"context"
	"strings"
	"sync/atomic"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// limiterMeter counts the rate limiter's DynamoDB calls (RATE# buckets, LIMIT# reads).
type limiterMeter struct {
	writes, reads atomic.Int64
}

func (m *limiterMeter) middleware(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("filegate-limiter-meter", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if awsmiddleware.GetServiceID(ctx) == dynamodb.ServiceID {
			m.record(in.Parameters)
		}
		return next.HandleInitialize(ctx, in)
	}), middleware.Before)
}

func (m *limiterMeter) record(params any) {
	pk := func(key map[string]types.AttributeValue) string {
		s, _ := key["pk"].(*types.AttributeValueMemberS)
		if s == nil {
			return ""
		}
		return s.Value
	}
	switch in := params.(type) {
	case *dynamodb.UpdateItemInput:
		if strings.HasPrefix(pk(in.Key), "RATE#") {
			m.writes.Add(1)
		}
	case *dynamodb.GetItemInput:
		if strings.HasPrefix(pk(in.Key), "RATE#") {
			m.reads.Add(1)
		}
	case *dynamodb.BatchGetItemInput:
		for _, ka := range in.RequestItems {
			if len(ka.Keys) > 0 && strings.HasPrefix(pk(ka.Keys[0]), "LIMIT#") {
				m.reads.Add(1)
			}
		}
	}
}

// reset zeroes the counts.
func (m *limiterMeter) reset() { m.writes.Store(0); m.reads.Store(0) }
