package tracing_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/shared/tracing"
)

// fakeDynamoDB answers every request with status and a request ID.
func fakeDynamoDB(t *testing.T, status int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", "req-1")
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		if status == http.StatusOK {
			_, _ = w.Write([]byte(`{}`))
		} else {
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"boom"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// daemon is a stand-in X-Ray daemon: the datagrams sent to it.
func daemon(t *testing.T) (*net.UDPConn, string) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn, conn.LocalAddr().String()
}

// receive returns the next datagram, or nil when none comes in wait.
func receive(t *testing.T, conn *net.UDPConn, wait time.Duration) []byte {
	buf := make([]byte, 64<<10)
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	n, err := conn.Read(buf)
	if err != nil {
		return nil
	}
	return buf[:n]
}

func getItemXRay(t *testing.T, address string, status int) {
	x, err := tracing.NewXRay(address)
	if err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""), RetryMaxAttempts: 2}
	tracing.Instrument(&cfg, x)
	srv := fakeDynamoDB(t, status)
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	_, _ = db.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("files"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "f"}}})
}

const header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

// In a sampled invocation, an SDK call reaches the daemon as a subsegment
// of the invocation's segment, named for its service, in the aws
// namespace, with operation, region, request ID and status.
func TestASampledCallReachesTheDaemonAsASubsegment(t *testing.T) {
	for name, tc := range map[string]struct {
		status                 int
		error, fault, throttle bool
		address                func(string) string
	}{
		"success":               {status: 200, address: func(a string) string { return a }},
		"server error":          {status: 500, fault: true, address: func(a string) string { return a }},
		"client error":          {status: 400, error: true, address: func(a string) string { return a }},
		"throttled":             {status: 429, error: true, throttle: true, address: func(a string) string { return a }},
		"tcp and udp addresses": {status: 200, address: func(a string) string { return "tcp:" + a + " udp:" + a }},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("_X_AMZN_TRACE_ID", header)
			conn, addr := daemon(t)
			start := float64(time.Now().UnixMicro()) / 1e6
			getItemXRay(t, tc.address(addr), tc.status)
			msg := receive(t, conn, 2*time.Second)
			head, doc, found := bytes.Cut(msg, []byte("\n"))
			if !found || string(head) != `{"format":"json","version":1}` {
				t.Fatalf("datagram %q: want the daemon's header line, then the document", msg)
			}
			var seg struct {
				Name, ID, Type, Namespace string
				TraceID                   string  `json:"trace_id"`
				ParentID                  string  `json:"parent_id"`
				Start                     float64 `json:"start_time"`
				End                       float64 `json:"end_time"`
				Error, Fault, Throttle    bool
				AWS                       map[string]string
				HTTP                      struct{ Response struct{ Status int } }
			}
			if err := json.Unmarshal(doc, &seg); err != nil {
				t.Fatalf("%s: %v", doc, err)
			}
			if seg.Name != "DynamoDB" || seg.Type != "subsegment" || seg.Namespace != "aws" || len(seg.ID) != 16 ||
				seg.TraceID != "1-5759e988-bd862e3fe1be46a994272793" || seg.ParentID != "53995c3f42cd8ad8" {
				t.Errorf("subsegment %s: want DynamoDB in namespace aws under the invocation's segment", doc)
			}
			if seg.AWS["operation"] != "GetItem" || seg.AWS["region"] != "eu-west-1" || seg.AWS["request_id"] != "req-1" || seg.HTTP.Response.Status != tc.status {
				t.Errorf("subsegment %s: want GetItem, eu-west-1, req-1, HTTP %d", doc, tc.status)
			}
			if more := receive(t, conn, 200*time.Millisecond); more != nil {
				t.Errorf("a second datagram for one call (retries are one subsegment): %s", more)
			}
			if seg.Start < start-1 || seg.End < seg.Start || seg.Fault != tc.fault || seg.Error != tc.error || seg.Throttle != tc.throttle {
				t.Errorf("subsegment %s: times %v..%v (call at %v), fault %v error %v throttle %v", doc, seg.Start, seg.End, start, seg.Fault, seg.Error, seg.Throttle)
			}
		})
	}
}

// Outside a sampled invocation nothing is sent: no trace header (a local
// run), or one that says not sampled.
func TestUnsampledCallsSendNothing(t *testing.T) {
	for name, h := range map[string]string{
		"no header":   "",
		"not sampled": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
		"malformed":   "Root=nonsense;Parent=53995c3f42cd8ad8;Sampled=1",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("_X_AMZN_TRACE_ID", h)
			conn, addr := daemon(t)
			getItemXRay(t, addr, http.StatusOK)
			if msg := receive(t, conn, 300*time.Millisecond); msg != nil {
				t.Errorf("sent %q", msg)
			}
		})
	}
}

// A presigned URL is signed in process, no call is made: even in a sampled
// invocation nothing reaches the daemon (SignParts presigns up to 100 at once).
func TestPresigningSendsNothing(t *testing.T) {
	t.Setenv("_X_AMZN_TRACE_ID", header)
	conn, addr := daemon(t)
	x, err := tracing.NewXRay(addr)
	if err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
	tracing.Instrument(&cfg, x)
	presign := s3.NewPresignClient(s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String("http://127.0.0.1:9") }))
	if _, err := presign.PresignPutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if msg := receive(t, conn, 300*time.Millisecond); msg != nil {
		t.Errorf("a presign sent %q", msg)
	}
}
