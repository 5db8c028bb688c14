package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/sdkcalls"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// ownTableAndBucket is the functions' environment on a fresh table and
// bucket of the stack's DynamoDB Local and MinIO: no S3 events reach it (the
// bucket has no notifications, as if every event were lost), and reconcile's
// jobs there are its own. apiOptions are added to its SDK clients.
func ownTableAndBucket(t *testing.T, apiOptions ...func(*middleware.Stack) error) *wiring.Env {
	t.Helper()
	ctx := t.Context()
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	table, bucket := "reconcile-"+suffix, "reconcile-"+suffix
	if err := localstack.CreateTable(ctx, stack.DynamoClient(), table, stack.Template.Table); err != nil {
		t.Fatal(err)
	}
	if err := localstack.CreateBucket(ctx, stack.S3Client(), bucket, nil); err != nil {
		t.Fatal(err)
	}
	own, err := wiring.Load(func(name string) string {
		switch name {
		case "TABLE_NAME":
			return table
		case "BUCKET_NAME":
			return bucket
		}
		return stack.Getenv(name)
	})
	if err != nil {
		t.Fatal(err)
	}
	own.AWS.APIOptions = append(own.AWS.APIOptions, apiOptions...)
	own.Log, own.Out = discardLog(), io.Discard
	return own
}

// scheduledRun invokes env's reconcile function as its 5-minute schedule does.
func scheduledRun(t *testing.T, env *wiring.Env) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), stack.Template.Functions["ReconcileFunction"].Timeout)
	defer cancel()
	if _, err := uploadwiring.Reconcile(env)(ctx, events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Detail: []byte("{}")}); err != nil {
		t.Fatalf("scheduled reconcile run: %v", err)
	}
}

// putRaw stores body at key in env's bucket, as a PUT whose S3 event was lost.
func putRaw(t *testing.T, env *wiring.Env, key string, body []byte, contentType string) {
	t.Helper()
	if _, err := stack.S3Client().PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(env.Config.BucketName), Key: aws.String(key),
		Body: bytes.NewReader(body), ContentType: aws.String(contentType)}); err != nil {
		t.Fatal(err)
	}
}

// Issue 24.1: reconcile repairs lost S3 events from the records, not from
// the bucket. Every upload's event is lost here (the bucket sends none).
// Once their upload windows have passed, one scheduled run settles the
// PENDING files whose object exists (COMPLETED, or REJECTED as validation
// says) and stores EXPIRED for the one without bytes, a write of its own (the
// stream's file.expired) and no longer only what reads compute. It lists
// neither the bucket nor its multipart uploads, however many unrelated
// objects the bucket holds, and scans no table. A file whose window is still
// open is not yet reconcile's business: its event may still come.
func TestReconcileRepairsLostEventsFromTheRecords(t *testing.T) {
	calls := &sdkcalls.Counter{}
	own := ownTableAndBucket(t, calls.Add)
	ctx := t.Context()
	store, objects := wiring.Store(own), s3wiring.Storage(own)
	project := apitest.NewUUID()
	// Sessions opened 20 minutes ago: their 15-minute windows have passed.
	opened := useCasesOn(store, objects, files.Options{Clock: func() time.Time { return time.Now().Add(-20 * time.Minute) }})
	current := useCasesOn(store, objects, files.Options{})
	create := func(svc *useCases) *files.File {
		c, err := svc.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBytes))}})
		if err != nil {
			t.Fatal(err)
		}
		return c.File
	}
	var valid []*files.File
	for range 3 {
		f := create(opened)
		putRaw(t, own, f.ObjectKey, pdfBytes, "application/pdf")
		valid = append(valid, f)
	}
	short := create(opened)
	putRaw(t, own, short.ObjectKey, pdfBytes[:len(pdfBytes)-1], "application/pdf")
	missing := create(opened)
	open := create(current)
	putRaw(t, own, open.ObjectKey, pdfBytes, "application/pdf")
	for range 20 { // unrelated objects (young orphans of another project)
		putRaw(t, own, files.ObjectKey(apitest.NewUUID(), files.NewID(time.Now())), pdfBytes, "application/pdf")
	}

	calls.Reset()
	scheduledRun(t, own)
	status := func(f *files.File) files.Status {
		got, err := store.Get(ctx, project, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status // as stored, not as a read renders it
	}
	for i, f := range valid {
		if st := status(f); st != files.StatusCompleted {
			t.Errorf("valid upload %d whose event was lost: stored %s, want COMPLETED", i, st)
		}
	}
	if st := status(short); st != files.StatusRejected {
		t.Errorf("a short upload whose event was lost: stored %s, want REJECTED", st)
	}
	if st := status(missing); st != files.StatusExpired {
		t.Errorf("a session that ended without bytes: stored %s, want EXPIRED written by reconcile", st)
	}
	if st := status(open); st != files.StatusPending {
		t.Errorf("a session still open: stored %s, want PENDING (its event may still come)", st)
	}
	for _, op := range []string{"S3.ListObjectsV2", "S3.ListObjects", "S3.ListMultipartUploads", "DynamoDB.Scan"} {
		if n := calls.Snapshot()[op]; n != 0 {
			t.Errorf("the run made %d %s calls; repairing from the records makes none", n, op)
		}
	}
}

// Issue 27.4: the multipart uploads of sessions that ended are found from
// the records (each names its key and upload id), not from a bucket-wide
// ListMultipartUploads, which MinIO answers only for an exact key. After a
// scheduled run no upload is left open on the key of a session that expired
// unfinished, one cancelled while storage refused the abort, or one that
// completed while another upload of the same key (a keyed create's second
// attempt, whose abort failed) stayed open; a live session keeps its upload.
func TestReconcileAbortsTheUploadsOfEndedSessionsFromTheRecords(t *testing.T) {
	own := ownTableAndBucket(t)
	ctx := t.Context()
	store, objects := wiring.Store(own), s3wiring.Storage(own)
	project := apitest.NewUUID()
	// Opened 25 hours ago: the 24-hour multipart session has ended.
	opened := useCasesOn(store, objects, files.Options{Clock: func() time.Time { return time.Now().Add(-25 * time.Hour) }})
	current := useCasesOn(store, objects, files.Options{})
	create := func(svc *useCases) *files.File {
		c, err := svc.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBytes))},
			Multipart: &files.MultipartPlan{PartSizeBytes: files.MinPartBytes}})
		if err != nil {
			t.Fatal(err)
		}
		return c.File
	}
	expired := create(opened)
	cancelled := create(current)
	refusing := useCasesOn(store, &abortRefused{objectPorts: objects}, files.Options{})
	if _, err := refusing.cancellation.Cancel(ctx, project, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	completed := create(current)
	if _, err := stack.S3Client().UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(own.Config.BucketName), Key: aws.String(completed.ObjectKey),
		UploadId: aws.String(completed.Multipart.UploadID), PartNumber: aws.Int32(1), Body: bytes.NewReader(pdfBytes)}); err != nil {
		t.Fatal(err)
	}
	if f, err := current.Complete(ctx, project, completed.ID, "", ""); err != nil || f.Status != files.StatusCompleted {
		t.Fatalf("complete: %v %v", f, err)
	}
	if _, err := objects.StartMultipart(ctx, completed.ObjectKey, "application/pdf", false); err != nil {
		t.Fatal(err)
	}
	live := create(current)

	scheduledRun(t, own)
	scheduledRun(t, own) // a second run finds nothing more to do
	for name, f := range map[string]*files.File{"expired": expired, "cancelled": cancelled, "completed": completed} {
		if ups := openUploads(t, own, f.ObjectKey); len(ups) != 0 {
			t.Errorf("the %s session's key still holds %d open multipart uploads", name, len(ups))
		}
	}
	if ups := openUploads(t, own, live.ObjectKey); len(ups) != 1 || ups[0] != live.Multipart.UploadID {
		t.Errorf("the live session's key holds uploads %v, want only its own %s", ups, live.Multipart.UploadID)
	}
}

// openUploads lists the multipart uploads open on exactly key.
func openUploads(t *testing.T, env *wiring.Env, key string) []string {
	t.Helper()
	out, err := stack.S3Client().ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String(env.Config.BucketName), Prefix: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range out.Uploads {
		if aws.ToString(u.Key) == key {
			ids = append(ids, aws.ToString(u.UploadId))
		}
	}
	return ids
}

// abortRefused is storage refusing every multipart abort.
type abortRefused struct{ objectPorts }

func (abortRefused) AbortMultipart(context.Context, string, string) error {
	return files.Unavailable("object storage", fmt.Errorf("injected fault"))
}
