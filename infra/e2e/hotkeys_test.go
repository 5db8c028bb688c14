package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/filegate/filegate/filegate"
)

// writeLog is SDK middleware on every function's DynamoDB client (the
// stack's DynamoDBMiddleware): it records each item a call writes, under
// the API request that made it (the gateway's request id, which the
// function's request context carries and the answer's apigw-requestid
// header names). Calls outside a request (stream consumers, S3 events,
// reconcile) are kept under "".
type writeLog struct {
	mu     sync.Mutex
	writes map[string][]itemWrite // by request id
}

type itemWrite struct {
	op  string // PutItem, UpdateItem, DeleteItem, TransactWriteItems, BatchWriteItem
	key string // pk + " " + sk
}

var writes = &writeLog{writes: map[string][]itemWrite{}}

func (l *writeLog) middleware(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("filegate-write-log", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if awsmiddleware.GetServiceID(ctx) == dynamodb.ServiceID {
			l.record(ctx, in.Parameters)
		}
		return next.HandleInitialize(ctx, in)
	}), middleware.Before)
}

func (l *writeLog) record(ctx context.Context, params any) {
	var ws []itemWrite
	add := func(op string, key map[string]types.AttributeValue) {
		ws = append(ws, itemWrite{op: op, key: attrS(key["pk"]) + " " + attrS(key["sk"])})
	}
	switch in := params.(type) {
	case *dynamodb.PutItemInput:
		add("PutItem", in.Item)
	case *dynamodb.UpdateItemInput:
		add("UpdateItem", in.Key)
	case *dynamodb.DeleteItemInput:
		add("DeleteItem", in.Key)
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				add("TransactWriteItems", it.Put.Item)
			case it.Update != nil:
				add("TransactWriteItems", it.Update.Key)
			case it.Delete != nil:
				add("TransactWriteItems", it.Delete.Key)
			case it.ConditionCheck != nil:
				add("TransactWriteItems", it.ConditionCheck.Key)
			}
		}
	case *dynamodb.BatchWriteItemInput:
		for _, reqs := range in.RequestItems {
			for _, r := range reqs {
				if r.PutRequest != nil {
					add("BatchWriteItem", r.PutRequest.Item)
				} else if r.DeleteRequest != nil {
					add("BatchWriteItem", r.DeleteRequest.Key)
				}
			}
		}
	}
	if len(ws) == 0 {
		return
	}
	rc, _ := core.GetAPIGatewayV2ContextFromContext(ctx)
	l.mu.Lock()
	l.writes[rc.RequestID] = append(l.writes[rc.RequestID], ws...)
	l.mu.Unlock()
}

func (l *writeLog) of(requestID string) []itemWrite {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]itemWrite(nil), l.writes[requestID]...)
}

func attrS(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// A busy project (200 uploads, each a create and a complete from its own
// client, 16 in flight) writes no item from two different files' requests, and
// no request path uses a transaction: on DynamoDB one item takes at most
// 1,000 writes a second, and concurrent transactions on it are cancelled
// (TransactionConflict), which DynamoDB Local never does. What the
// functions write is read off their SDK clients, not inferred. Which items
// a request writes is a property of its path, not of timing, so the uploads
// overlap without all 200 starting at once: on a loaded 2-core machine that
// ran the functions past their deadline (503).
func TestNoRequestWritesAnItemAnotherFilesRequestWrites(t *testing.T) {
	c := newTenant(t)
	const n = 200
	fileOf := map[string]int{} // request id -> the upload it belongs to
	var creates []string       // the creates' request ids
	var mu sync.Mutex
	var wg sync.WaitGroup
	inFlight := make(chan struct{}, 16)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inFlight <- struct{}{}
			defer func() { <-inFlight }()
			body := []byte(fmt.Sprintf("hot key %d\n", i))
			var f filegate.File
			st, h := c.Do("POST", "/v1/files", map[string]any{"filename": fmt.Sprintf("f%03d.txt", i), "mimeType": "text/plain", "sizeBytes": len(body)}, &f)
			if st != http.StatusOK {
				t.Errorf("create %d: %d %+v", i, st, f)
				return
			}
			created := h.Get("Apigw-Requestid")
			if put(t, f.UploadURL, f.UploadHeaders, body) != http.StatusOK {
				t.Errorf("PUT %d failed", i)
				return
			}
			st, h2 := c.Do("POST", "/v1/files/"+f.ID+"/complete", nil, &f)
			if st != http.StatusOK || f.Status != "COMPLETED" {
				t.Errorf("complete %d: %d %s", i, st, f.Status)
			}
			mu.Lock()
			fileOf[created], fileOf[h2.Get("Apigw-Requestid")] = i, i
			creates = append(creates, created)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if len(fileOf) != 2*n {
		t.Fatalf("%d distinct request ids for %d requests: the gateway must name each answer's request", len(fileOf), 2*n)
	}
	writers := map[string]map[int]bool{} // item -> uploads whose requests wrote it
	transactions := 0
	for req, i := range fileOf {
		ws := writes.of(req)
		for _, w := range ws {
			if writers[w.key] == nil {
				writers[w.key] = map[int]bool{}
			}
			writers[w.key][i] = true
			if w.op == "TransactWriteItems" {
				transactions++
			}
		}
	}
	recorded := 0
	for _, req := range creates {
		if slices.ContainsFunc(writes.of(req), func(w itemWrite) bool { return strings.Contains(w.key, " F#") }) {
			recorded++
		}
	}
	if recorded != n {
		t.Fatalf("the write log saw a file record written by %d of %d creates: the middleware is not on the functions' clients", recorded, n)
	}
	if transactions != 0 {
		t.Errorf("%d transactional writes on request paths, want 0", transactions)
	}
	for key, by := range writers {
		if len(by) > 1 {
			t.Errorf("item %q written by the requests of %d different files", key, len(by))
		}
	}
}
