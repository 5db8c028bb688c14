package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/guardduty"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// GuardDuty's side of a guardduty deployment, on real storage: its verdict
// tag (which validation must not count as metadata the upload brought) and
// its result event, early or late. GuardDuty itself is AWS's: here a test
// writes its tag and sends its events, to process-upload and scan-result
// built as their mains build them in guardduty mode, over a bucket of their
// own that sends no S3 events (the stack's clamd would scan them first).
type guardDuty struct {
	t       *testing.T
	bucket  string
	process uploadwiring.S3Lambda
	results uploadwiring.ScanResultLambda
	c       *apitest.Tenant
}

func newGuardDuty(t *testing.T) *guardDuty {
	ctx := context.Background()
	bucket := "filegate-guardduty-" + strings.ToLower(apitest.NewUUID()[:8])
	if err := localstack.CreateBucket(ctx, stack.S3Client(), bucket, nil); err != nil {
		t.Fatal(err)
	}
	e, err := wiring.Load(func(name string) string {
		switch name {
		case "SCAN_MODE":
			return "guardduty"
		case "BUCKET_NAME":
			return bucket
		}
		return stack.Getenv(name)
	})
	if err != nil {
		t.Fatal(err)
	}
	return &guardDuty{t: t, bucket: bucket, process: uploadwiring.ProcessUpload(e), results: uploadwiring.ScanResult(e), c: apitest.NewTenant(t, stack)}
}

// uploaded is a PENDING file whose bytes are in the bucket, stored with
// tagging (a client's own tags; "" for none).
func (g *guardDuty) uploaded(body, tagging string) filegate.File {
	g.t.Helper()
	f, err := g.c.Client.Create(context.Background(), filegate.CreateRequest{Filename: "doc.txt", MimeType: "text/plain", SizeBytes: int64(len(body))})
	if err != nil {
		g.t.Fatal(err)
	}
	in := &s3.PutObjectInput{Bucket: aws.String(g.bucket), Key: aws.String(g.key(f)), Body: strings.NewReader(body), ContentType: aws.String("text/plain")}
	if tagging != "" {
		in.Tagging = aws.String(tagging)
	}
	if _, err := stack.S3Client().PutObject(context.Background(), in); err != nil {
		g.t.Fatal(err)
	}
	return f
}

func (g *guardDuty) key(f filegate.File) string {
	return files.ObjectKey(g.c.ProjectID, files.MustParseFileID(f.ID))
}

// tag is GuardDuty writing its verdict on f's object.
func (g *guardDuty) tag(f filegate.File, status string) {
	g.t.Helper()
	_, err := stack.S3Client().PutObjectTagging(context.Background(), &s3.PutObjectTaggingInput{
		Bucket: aws.String(g.bucket), Key: aws.String(g.key(f)),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String(guardduty.TagKey), Value: aws.String(status)}}},
	})
	if err != nil {
		g.t.Fatal(err)
	}
}

// objectCreated is f's S3 event reaching process-upload.
func (g *guardDuty) objectCreated(f filegate.File) {
	g.t.Helper()
	var rec events.S3EventRecord
	rec.EventSource, rec.EventName = "aws:s3", "ObjectCreated:Put"
	rec.S3.Bucket.Name, rec.S3.Object.Key, rec.S3.Object.URLDecodedKey = g.bucket, g.key(f), g.key(f)
	if err := g.process(context.Background(), events.S3Event{Records: []events.S3EventRecord{rec}}); err != nil {
		g.t.Fatal(err)
	}
}

// result is GuardDuty's result event for f reaching scan-result.
func (g *guardDuty) result(f filegate.File, status string, threats ...string) {
	g.t.Helper()
	var list []map[string]string
	for _, th := range threats {
		list = append(list, map[string]string{"name": th})
	}
	detail, _ := json.Marshal(map[string]any{
		"schemaVersion": "1.0", "scanStatus": "COMPLETED", "resourceType": "S3_OBJECT",
		"s3ObjectDetails":   map[string]any{"bucketName": g.bucket, "objectKey": g.key(f), "s3Throttled": false},
		"scanResultDetails": map[string]any{"scanResultStatus": status, "threats": list},
	})
	ev := events.EventBridgeEvent{Source: guardduty.Source, DetailType: guardduty.DetailType, Detail: detail}
	if err := g.results(context.Background(), ev); err != nil {
		g.t.Fatal(err)
	}
}

func (g *guardDuty) expect(f filegate.File, status, rejection string) {
	g.t.Helper()
	got, err := g.c.Client.Get(context.Background(), f.ID)
	if err != nil {
		g.t.Fatal(err)
	}
	code := ""
	if got.Rejection != nil {
		code = got.Rejection.Code
	}
	if got.Status != status || code != rejection {
		g.t.Fatalf("file is %s %q (scan %+v), want %s %q", got.Status, code, got.Scan, status, rejection)
	}
}

func (g *guardDuty) objectExists(f filegate.File) bool {
	_, err := stack.S3Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(g.bucket), Key: aws.String(g.key(f))})
	return err == nil
}

func TestGuardDutyVerdictsOnStorage(t *testing.T) {
	t.Run("tagged clean before validation: completes", func(t *testing.T) {
		g := newGuardDuty(t)
		f := g.uploaded("clean words", "")
		g.tag(f, "NO_THREATS_FOUND") // GuardDuty was quicker than the S3 event
		g.objectCreated(f)
		g.expect(f, "COMPLETED", "")
	})
	t.Run("verdict after validation: waits, then completes", func(t *testing.T) {
		g := newGuardDuty(t)
		f := g.uploaded("clean words", "")
		g.objectCreated(f)
		g.expect(f, "PENDING", "")
		if r := record(t, g.c, f.ID); r.Status != files.StatusScanning {
			t.Fatalf("after validation: %s, want SCANNING", r.Status)
		}
		g.tag(f, "NO_THREATS_FOUND")
		g.result(f, "NO_THREATS_FOUND")
		g.expect(f, "COMPLETED", "")
	})
	t.Run("result before the S3 event: validated, then settled", func(t *testing.T) {
		g := newGuardDuty(t)
		f := g.uploaded("clean words", "")
		g.tag(f, "NO_THREATS_FOUND")
		g.result(f, "NO_THREATS_FOUND")
		g.expect(f, "COMPLETED", "")
		g.objectCreated(f) // the late S3 event changes nothing
		g.expect(f, "COMPLETED", "")
	})
	t.Run("threats found: rejected, object deleted", func(t *testing.T) {
		g := newGuardDuty(t)
		f := g.uploaded("pretend this is malware", "")
		g.objectCreated(f)
		g.tag(f, "THREATS_FOUND")
		g.result(f, "THREATS_FOUND", "EICAR-Test-File (not a virus)")
		g.expect(f, "REJECTED", "malware_detected")
		if g.objectExists(f) {
			t.Error("the infected object is still in storage")
		}
	})
	t.Run("a failed scan is no verdict: the file waits", func(t *testing.T) {
		g := newGuardDuty(t)
		f := g.uploaded("clean words", "")
		g.objectCreated(f)
		g.tag(f, "FAILED")
		g.result(f, "FAILED")
		g.expect(f, "PENDING", "")
	})
	t.Run("a tag the upload brought is still refused", func(t *testing.T) {
		g := newGuardDuty(t)
		f := g.uploaded("clean words", fmt.Sprintf("%s=NO_THREATS_FOUND&team=red", "x-forged"))
		g.objectCreated(f)
		g.expect(f, "REJECTED", "unexpected_metadata")
	})
}
