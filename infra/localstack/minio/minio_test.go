package minio

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// s3Event is the part of the S3 event JSON the service relies on.
type s3Event struct {
	Records []struct {
		EventName string `json:"eventName"`
		S3        struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key  string `json:"key"`
				Size int64  `json:"size"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
}

// startReceiver serves a webhook on addr that forwards request bodies to out; it returns
// the server and its bound address.
func startReceiver(t *testing.T, addr string, out chan<- []byte) (*http.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("webhook listen %s: %v", addr, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if len(b) > 0 {
			out <- b
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return srv, ln.Addr().String()
}

// waitEvent returns the first event whose decoded key is key.
func waitEvent(t *testing.T, in <-chan []byte, key string, timeout time.Duration) s3Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case b := <-in:
			var ev s3Event
			if err := json.Unmarshal(b, &ev); err != nil || len(ev.Records) == 0 {
				t.Logf("ignoring webhook body: %s", b)
				continue
			}
			if k, err := url.QueryUnescape(ev.Records[0].S3.Object.Key); err == nil && k == key {
				return ev
			}
		case <-deadline:
			t.Fatalf("no event for %q within %s", key, timeout)
		}
	}
}

func TestMinIOWebhookAndQueue(t *testing.T) {
	ctx := t.Context()
	events := make(chan []byte, 100)
	recv, hookAddr := startReceiver(t, "127.0.0.1:0", events)
	m := MustStart(t, map[string]string{"filegate": "http://" + hookAddr + "/events"})
	s3c := m.Client()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("uploads")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if err := m.Notify(ctx, "uploads", "filegate", "uploads/"); err != nil {
		t.Fatal(err)
	}

	key, body := "uploads/a b/ü.txt", []byte("hello, ü")
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	ev := waitEvent(t, events, key, 10*time.Second)
	rec := ev.Records[0]
	t.Logf("event: name=%s key=%q size=%d", rec.EventName, rec.S3.Object.Key, rec.S3.Object.Size)
	if !strings.HasPrefix(rec.EventName, "s3:ObjectCreated:") {
		t.Errorf("eventName = %q", rec.EventName)
	}
	if rec.S3.Object.Key == key {
		t.Errorf("key %q is not URL-encoded", rec.S3.Object.Key)
	}
	if rec.S3.Object.Size != int64(len(body)) {
		t.Errorf("size = %d, want %d", rec.S3.Object.Size, len(body))
	}
	if rec.S3.Bucket.Name != "uploads" {
		t.Errorf("bucket = %q", rec.S3.Bucket.Name)
	}

	// Receiver down: the event must wait in the queue dir, then arrive after restart.
	recv.Close()
	key2 := "uploads/while-down.txt"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String(key2), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	time.Sleep(time.Second) // let MinIO fail at least once against the closed port
	restarted := time.Now()
	startReceiver(t, hookAddr, events)
	waitEvent(t, events, key2, 30*time.Second)
	t.Logf("queued event delivered %s after receiver restart", time.Since(restarted))

	// Unnotify: no event for later uploads (checked after a short wait).
	if err := m.Unnotify(ctx, "uploads"); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String("uploads/dropped.txt"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	select {
	case b := <-events:
		if bytes.Contains(b, []byte("dropped.txt")) {
			t.Fatalf("event delivered after Unnotify: %s", b)
		}
	case <-time.After(2 * time.Second):
	}
}

// TestMinIOPresignedPut pins down what MinIO enforces on a presigned PUT; the upload flow
// relies on signed Content-Length/Content-Type and If-None-Match.
func TestMinIOPresignedPut(t *testing.T) {
	ctx := t.Context()
	m := MustStart(t, nil)
	s3c := m.Client()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("uploads")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	body := []byte("exactly these bytes")
	ps, err := s3.NewPresignClient(s3c).PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String("uploads"),
		Key:           aws.String("uploads/presigned.txt"),
		ContentType:   aws.String("text/plain"),
		ContentLength: aws.Int64(int64(len(body))),
		IfNoneMatch:   aws.String("*"),
	}, s3.WithPresignExpires(15*time.Minute))
	if err != nil {
		t.Fatalf("PresignPutObject: %v", err)
	}
	t.Logf("presigned %s %s\nsigned headers: %v", ps.Method, ps.URL, ps.SignedHeader)

	// put sends the presigned request, letting edit change headers; Content-Length always
	// follows the body actually sent.
	put := func(name string, b []byte, edit func(http.Header)) int {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, ps.Method, ps.URL, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range ps.SignedHeader {
			if k != "Host" && k != "Content-Length" {
				req.Header[k] = v
			}
		}
		if edit != nil {
			edit(req.Header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer resp.Body.Close()
		msg, _ := io.ReadAll(resp.Body)
		t.Logf("%s -> %d %s", name, resp.StatusCode, XMLField(msg, "Code")+": "+XMLField(msg, "Message"))
		return resp.StatusCode
	}
	cases := []struct {
		name string
		body []byte
		edit func(http.Header)
		want int
	}{
		{"longer body", append(bytes.Clone(body), '!'), nil, http.StatusForbidden},
		{"shorter body", body[:len(body)-1], nil, http.StatusForbidden},
		{"other content type", body, func(h http.Header) { h.Set("Content-Type", "text/html") }, http.StatusForbidden},
		// MinIO answers a missing signed header with 400 (AWS: 403); either way it is refused.
		{"no If-None-Match", body, func(h http.Header) { h.Del("If-None-Match") }, http.StatusBadRequest},
		{"as signed", body, nil, http.StatusOK},
		{"as signed again", body, nil, http.StatusPreconditionFailed},
	}
	for _, c := range cases {
		if got := put(c.name, c.body, c.edit); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	out, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("uploads"), Key: aws.String("uploads/presigned.txt")})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if aws.ToInt64(out.ContentLength) != int64(len(body)) || aws.ToString(out.ContentType) != "text/plain" {
		t.Errorf("stored object: length %d type %q", aws.ToInt64(out.ContentLength), aws.ToString(out.ContentType))
	}
}
