package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/idempotency"
)

// startCrashableStack starts a stack whose functions reach DynamoDB Local
// through a dynamoCrash, so a test can SIGKILL it at a chosen request.
func startCrashableStack(t *testing.T) (*localstack.Stack, *dynamoCrash) {
	t.Helper()
	p := &dynamoCrash{}
	st := startStack(t, func(o *localstack.Options) {
		o.DynamoDBFront = func(endpoint string) (string, error) {
			p.target = endpoint
			srv := httptest.NewServer(p)
			t.Cleanup(srv.Close)
			return srv.URL, nil
		}
	})
	p.kill = st.DynamoDB.Kill
	db := dynamo.NewFromIface(st.DynamoClient())
	p.fence = func() error {
		return db.Table(localstack.TableName).Put(map[string]string{"pk": "FAULTS#fence", "sk": "FENCE"}).Run(context.Background())
	}
	return st, p
}

// keyedRequest is one create a client sends with an Idempotency-Key: a
// native create (JSON) or a compat upload (multipart, its form rebuilt for
// every attempt with a new boundary, as a retrying client does).
type keyedRequest struct {
	key    string
	name   string
	body   []byte // the file's bytes
	compat bool
}

// function is the template's function that answers k (its Timeout bounds
// the first attempt's lease on the key).
func (k keyedRequest) function() string {
	if k.compat {
		return "UploadFileFunction"
	}
	return "CreateFileFunction"
}

func (k keyedRequest) send(ctx context.Context, c *client) (*http.Response, []byte, error) {
	path, contentType, payload := "/v1/files", "application/json", []byte(nil)
	if k.compat {
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, _ := mw.CreateFormFile("file", k.name)
		fw.Write(k.body)
		mw.WriteField("purpose", "parse")
		mw.Close()
		path, contentType, payload = "/api/v1/beta/files", mw.FormDataContentType(), form.Bytes()
	} else {
		payload, _ = json.Marshal(map[string]any{"filename": k.name, "mimeType": "application/pdf", "sizeBytes": len(k.body)})
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	headers := map[string]string{"Authorization": "Bearer " + c.Key, "Content-Type": contentType, "Idempotency-Key": k.key}
	return apitest.Send(ctx, hc, http.MethodPost, c.Base+path, headers, bytes.NewReader(payload), int64(len(payload)))
}

// retryUntilDone sends k until it succeeds, as a client whose first attempt
// failed does: 5xx, transport errors and a 409 with Retry-After (the key
// still in flight) are retried; anything else fails the test, and so does a
// key still blocked at deadline.
func (k keyedRequest) retryUntilDone(t *testing.T, c *client, deadline time.Time) []byte {
	answers := map[string]int{}
	defer func() { t.Logf("key %s: answers to its retries %v", k.key, answers) }()
	for {
		resp, raw, err := k.send(context.Background(), c)
		status, answer := 0, "transport error"
		if err == nil {
			status, answer = resp.StatusCode, fmt.Sprint(resp.StatusCode)
		}
		answers[answer]++
		switch {
		case status == http.StatusOK:
			return raw
		case err == nil && status < 500 && !(status == http.StatusConflict && resp.Header.Get("Retry-After") != ""):
			t.Errorf("key %s: %d %s", k.key, status, raw)
			return nil
		case time.Now().After(deadline):
			t.Errorf("key %s still refused after the function's timeout and the lease margin", k.key)
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// The requests a crash point is set on, as the stack's DynamoDB adapter
// sends them (shared/dynamostore): a file record's creation (a PutItem of
// F#…) and its completion (an UpdateItem setting status COMPLETED).
var (
	fileStored = crashRule{ops: []string{"PutItem"}, contains: []string{`"Item":`, `"F#`}, afterCommit: true}
	completing = crashRule{ops: []string{"UpdateItem"}, contains: []string{`"COMPLETED"`}}
)

// TestKeyedRetriesAfterADynamoDBCrashConvergeOnOneFile SIGKILLs DynamoDB
// Local in the middle of keyed creates, at the points where a crash leaves a
// file behind that the client never heard of: a native create's record
// committed with its answer lost; a compat upload's record committed before
// its bytes were stored; a compat upload's bytes stored before it settled
// (its S3 event then settles it once DynamoDB is back). Each time DynamoDB
// Local restarts on its data, while unkeyed traffic runs on throughout. The
// client retries each failed request with its Idempotency-Key: the key must
// answer within the function's timeout and a small margin, and converge on
// exactly one file, which the client uploads to (native) and which ends
// COMPLETED; then the audit.
func TestKeyedRetriesAfterADynamoDBCrashConvergeOnOneFile(t *testing.T) {
	ctx := context.Background()
	st, proxy := startCrashableStack(t)
	type point struct {
		name string
		rule crashRule
		req  keyedRequest
		c    *client
		sent time.Time // the first attempt
	}
	points := []*point{
		{name: "native: file recorded", rule: fileStored},
		{name: "compat: file recorded, bytes not stored", rule: fileStored, req: keyedRequest{compat: true}},
		{name: "compat: bytes stored, not settled", rule: completing, req: keyedRequest{compat: true}},
	}
	up := &Uploads{}
	stop := make(chan struct{})
	traffic := backgroundTraffic(t, newClient(t, st), up, stop)
	for i, p := range points {
		p.c = newClient(t, st) // a project per point: one file each, in the end
		p.req.key, p.req.name, p.req.body = fmt.Sprintf("key-%d", i), fmt.Sprintf("crash-%d.pdf", i), uniquePDF(i)
		if p.req.compat {
			up.AddNamed(p.req.name, p.req.body) // the request carries the bytes
		}
		proxy.arm(p.rule.in(p.c.ProjectID))
		p.sent = time.Now()
		resp, raw, err := p.req.send(ctx, p.c)
		op := proxy.waitFired(t)
		if err == nil && resp.StatusCode < 500 {
			t.Fatalf("%s: the request answered %d %s although DynamoDB crashed at its %s", p.name, resp.StatusCode, raw, op)
		}
		start := time.Now()
		if err := st.DynamoDB.Restart(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: crashed at %s; DynamoDB Local restarted in %s", p.name, op, time.Since(start).Round(time.Millisecond))
	}
	close(stop)

	// A key is free again once its first attempt's lease is over (its
	// function's timeout plus the margin), or once DynamoDB is back if that
	// is later; a few seconds more for the retries to get through.
	restarted := time.Now()
	var wg sync.WaitGroup
	ids := make([]string, len(points))
	for i, p := range points {
		wg.Add(1)
		go func() {
			defer wg.Done()
			free := p.sent.Add(st.Template.Functions[p.req.function()].Timeout + idempotency.LeaseMargin)
			raw := p.req.retryUntilDone(t, p.c, later(free, restarted).Add(5*time.Second))
			t.Logf("%s: answered %s after the first attempt", p.name, time.Since(p.sent).Round(100*time.Millisecond))
			if raw == nil {
				return
			}
			var f filegate.File
			if err := json.Unmarshal(raw, &f); err != nil || f.ID == "" {
				t.Errorf("%s: the retry's answer %s names no file", p.name, raw)
				return
			}
			ids[i] = f.ID
			if !p.req.compat {
				up.AddNamed(p.req.name, p.req.body)
				if status, err := apitest.PutWith(ctx, nil, f.UploadURL, f.UploadHeaders, bytes.NewReader(p.req.body), int64(len(p.req.body))); err != nil || status != http.StatusOK {
					t.Errorf("%s: PUT to the retry's upload URL: %d %v", p.name, status, err)
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for i, p := range points {
		waitFor(t, p.c, ids[i], "COMPLETED")
		var l struct {
			Data []filegate.File `json:"data"`
		}
		p.c.Do("GET", "/v1/files", nil, &l)
		if len(l.Data) != 1 {
			t.Errorf("%s: the key's project holds %d files, want the one its retry answered with", p.name, len(l.Data))
		}
		waitTotalCount(t, p.c, 1) // the count follows the stream (eventually consistent)
	}
	bg := <-traffic
	for _, id := range bg.ids {
		waitFor(t, bg.c, id, "COMPLETED")
	}
	t.Logf("background traffic: %d files uploaded, %d requests failed across the crashes", len(bg.ids), bg.failed)
	auditStack(t, st, up)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// trafficResult is what backgroundTraffic did: the files it uploaded to.
type trafficResult struct {
	c      *client
	ids    []string
	failed int
}

// backgroundTraffic creates files without keys and uploads to them until
// stop is closed, going on through crashes: a failed create is not retried
// (a create whose answer was lost leaves a PENDING file nobody uploads to);
// a failed PUT is (S3 is up throughout).
func backgroundTraffic(t *testing.T, c *client, up *Uploads, stop <-chan struct{}) <-chan trafficResult {
	out := make(chan trafficResult, 1)
	go func() {
		res := trafficResult{c: c}
		defer func() { out <- res }()
		ctx := context.Background()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			name, body := fmt.Sprintf("traffic-%d.pdf", i), uniquePDF(1000+i)
			var f filegate.File
			r, err := apitest.Do(ctx, &c.Client, "POST", "/v1/files", map[string]any{"filename": name, "mimeType": "application/pdf", "sizeBytes": len(body)}, &f)
			if err != nil || r.Status != http.StatusOK {
				res.failed++
				continue
			}
			up.AddNamed(name, body)
			for {
				status, err := apitest.PutWith(ctx, nil, f.UploadURL, f.UploadHeaders, bytes.NewReader(body), int64(len(body)))
				if err == nil && (status == http.StatusOK || status == http.StatusPreconditionFailed) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			res.ids = append(res.ids, f.ID)
		}
	}()
	return out
}
