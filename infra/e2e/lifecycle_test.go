package e2e

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/localstack/streamfeed"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/streamevents"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// faultyObjects is the real S3 adapter with a fault injected into Delete.
type faultyObjects struct {
	objectPorts
	mu      sync.Mutex
	fail    func(key string, call int) bool
	deletes map[string]int
}

func (f *faultyObjects) Delete(ctx context.Context, key string) error {
	f.mu.Lock()
	f.deletes[key]++
	n := f.deletes[key]
	f.mu.Unlock()
	if f.fail(key, n) {
		return files.Unavailable("object storage", errors.New("injected fault"))
	}
	return f.objectPorts.Delete(ctx, key)
}

// objectPorts is every object port the use cases take, as the S3 adapter
// implements them.
type objectPorts interface {
	files.DownloadSigner
	upload.Presigner
	upload.ObjectInspector
	upload.ObjectWriter
	upload.ObjectLister
	upload.SessionStorage
	upload.PartAssembler
	upload.OpenUploadLister
}

// useCases are the functions' use cases over one store and a bucket of the
// test's choosing, for tests that inject a fault or a configuration (the
// functions build theirs with wiring and s3wiring).
type useCases struct {
	*upload.Sessions
	*upload.Settlement
	reconciler   *upload.Reconciler
	deletion     *files.Deletion
	cancellation *files.Cancellation
	expiry       *files.Expiry
}

func useCasesOn(store *dynamostore.Store, objects objectPorts, o files.Options) *useCases {
	records := files.NewRecords(store, o)
	settlement := upload.NewSettlement(store, objects, o)
	return &useCases{Sessions: upload.NewSessions(store, objects, o), Settlement: settlement,
		reconciler: upload.NewReconciler(store, objects, settlement, o),
		deletion:   files.NewDeletion(records, store, objects, o), cancellation: files.NewCancellation(records, store, objects, o),
		expiry: files.NewExpiry(objects, o)}
}

func (u *useCases) Delete(ctx context.Context, projectID, id string) error {
	return u.deletion.Delete(ctx, projectID, files.MustParseFileID(id))
}

// SweepOrphans is one run of the orphan walk.
func (u *useCases) SweepOrphans(ctx context.Context, max int, grace time.Duration) (upload.ReconcileReport, error) {
	return u.reconciler.SweepOrphans(ctx, max, grace)
}

// serviceWith is the use cases on the stack's table, over objects, with cfg.
func serviceWith(objects objectPorts, cfg files.Config) *useCases {
	return useCasesOn(wiring.Store(env), objects, files.Options{Config: cfg})
}

// realObjects is the bucket as the functions reach it.
func realObjects() objectPorts { return s3wiring.Storage(env) }

// recordExists reads the raw item, bypassing every read-path rule.
func recordExists(t *testing.T, projectID, id string) bool {
	t.Helper()
	out, err := stack.DynamoClient().GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(localstack.TableName), ConsistentRead: aws.Bool(true),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "P#" + projectID}, "sk": &ddbtypes.AttributeValueMemberS{Value: "F#" + id}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item != nil
}

func sweep(t *testing.T) streamfeed.SweepResult {
	t.Helper()
	res, err := stack.Sweeper.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRetentionEndsEveryReadAndTheSweeperRemovesAll(t *testing.T) {
	// Not parallel: sweeps are global, and this test watches what one removes.
	c := newTenant(t)
	// Five seconds: time for the upload and the reads below on a loaded
	// machine (the PUT URL itself ends at retention).
	until := time.Now().Add(5 * time.Second).UTC()
	var f filegate.File
	if st := c.Call("POST", "/v1/files", map[string]any{"filename": "r.pdf", "mimeType": "application/pdf", "sizeBytes": len(pdfBytes), "retentionExpiresAt": until.Format(time.RFC3339Nano)}, &f); st != http.StatusOK {
		t.Fatalf("create with retention: %d", st)
	}
	if put(t, f.UploadURL, f.UploadHeaders, pdfBytes) != http.StatusOK {
		t.Fatal("PUT failed")
	}
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", nil, &f); st != http.StatusOK {
		t.Fatalf("complete: %d", st)
	}
	var u struct{ ExpiresAt string }
	if st := c.Call("GET", "/v1/files/"+f.ID+"/url", nil, &u); st != http.StatusOK {
		t.Fatalf("url before retention ends: %d", st)
	}
	if exp, _ := time.Parse(time.RFC3339, u.ExpiresAt); exp.After(until) {
		t.Fatalf("download URL expires %s, after retention %s", exp, until)
	}
	if st := c.Call("GET", "/api/v1/beta/files/"+f.ID, nil, nil); st != http.StatusOK {
		t.Fatalf("compat GET before retention ends: %d", st)
	}
	c.waitCounts(1, 1) // counts are of records: an expired one counts until swept
	time.Sleep(time.Until(until) + 200*time.Millisecond)
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/files/" + f.ID}, {"GET", "/v1/files/" + f.ID + "/url"},
		{"POST", "/v1/files/" + f.ID + "/complete"}, {"POST", "/v1/files/" + f.ID + "/cancel"},
		{"GET", "/api/v1/beta/files/" + f.ID}, {"GET", "/api/v1/beta/files/" + f.ID + "/content"},
		{"DELETE", "/v1/files/" + f.ID}, {"DELETE", "/api/v1/beta/files/" + f.ID},
	} {
		if st := c.Call(r.method, r.path, nil, nil); st != http.StatusNotFound {
			t.Errorf("%s %s after retention: %d, want 404", r.method, r.path, st)
		}
	}
	var l struct{ Data []filegate.File }
	if c.Call("GET", "/v1/files", nil, &l); len(l.Data) != 0 {
		t.Errorf("list shows %d expired files", len(l.Data))
	}
	var compat struct{ Items []map[string]any }
	if c.Call("GET", "/api/v1/beta/files", nil, &compat); len(compat.Items) != 0 {
		t.Errorf("compat list shows %d expired files", len(compat.Items))
	}
	if !recordExists(t, c.ProjectID, f.ID) || !objectExists(t, c.ProjectID, f.ID) {
		t.Fatal("record and object should still exist before the sweeper runs")
	}
	sweep(t)
	if recordExists(t, c.ProjectID, f.ID) || objectExists(t, c.ProjectID, f.ID) {
		t.Fatal("after the sweep the record and the object must be gone")
	}
	// The sweeper's DeleteItem is in the stream the counter consumer reads;
	// its synthetic TTL record goes to the cleanup alone: counted once.
	c.waitCounts(0, 0)
}

func TestExpiredSessionIsSweptAfterGrace(t *testing.T) {
	// Not parallel: sweeps are global, and this test watches what one removes.
	c := newTenant(t)
	svc := serviceWith(realObjects(), files.Config{UploadURLTTL: time.Second, PendingGrace: time.Second})
	created, err := svc.Create(context.Background(), files.CreateInput{ProjectID: c.ProjectID, Declared: files.Declared{Filename: "x.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBytes))}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1200 * time.Millisecond)
	var f filegate.File
	if c.Call("GET", "/v1/files/"+created.File.ID.String(), nil, &f); f.Status != "EXPIRED" {
		t.Fatalf("status %q, want EXPIRED", f.Status)
	}
	h := map[string]string{"Content-Type": "application/pdf", "If-None-Match": "*"}
	if st := put(t, created.Upload.URL, h, pdfBytes); st < 400 {
		t.Fatalf("PUT after expiry: %d", st)
	}
	time.Sleep(time.Until(time.Unix(created.File.TTL+1, 0)))
	sweep(t)
	if recordExists(t, c.ProjectID, created.File.ID.String()) {
		t.Fatal("the expired session outlived its grace period")
	}
}

func TestPutAfterCancelIsDeletedByTheEvent(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	f := c.Create("c.pdf", "application/pdf", len(pdfBytes), "")
	if st := c.Call("POST", "/v1/files/"+f.ID+"/cancel", nil, nil); st != http.StatusOK {
		t.Fatalf("cancel: %d", st)
	}
	if st := put(t, f.UploadURL, f.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("PUT after cancel: %d (the URL is still valid; the event must clean up)", st)
	}
	deadline := time.Now().Add(15 * time.Second)
	for objectExists(t, c.ProjectID, f.ID) {
		if time.Now().After(deadline) {
			t.Fatal("the late upload was not deleted")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := c.WaitStatus(f.ID, "CANCELLED"); got.Status != "CANCELLED" {
		t.Fatalf("status %s", got.Status)
	}
}

func TestCleanupRetriesOnlyTheFailedRecord(t *testing.T) {
	// Not parallel: sweeps are global, and this test watches what one removes.
	c := newTenant(t)
	svc := serviceWith(realObjects(), files.Config{UploadURLTTL: time.Second, PendingGrace: time.Second})
	var keys []string
	for i := 0; i < 3; i++ {
		created, err := svc.Create(context.Background(), files.CreateInput{ProjectID: c.ProjectID, Declared: files.Declared{Filename: "t.pdf", MimeType: "application/pdf", SizeBytes: 5}})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, created.File.ObjectKey)
	}
	faulty := &faultyObjects{objectPorts: realObjects(), deletes: map[string]int{},
		fail: func(key string, call int) bool { return key == keys[1] && call == 1 }}
	cleanup := &streamevents.Cleanup{Expiry: serviceWith(faulty, files.Config{}).expiry, Log: discardLog()}
	sweeper := &streamfeed.Sweeper{Client: stack.DynamoClient(), Table: localstack.TableName, Handler: onlyProject(cleanup.Handle, c.ProjectID), Log: discardLog(), Attempts: 3}
	time.Sleep(2500 * time.Millisecond)
	if _, err := sweeper.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		want := 1
		if i == 1 {
			want = 2 // failed once, retried once
		}
		if got := faulty.deletes[k]; got != want {
			t.Errorf("record %d cleaned %d times, want %d", i, got, want)
		}
	}
}

// onlyProject narrows a batch to one project's records, so parallel tests'
// expired items don't reach this test's injected fault.
func onlyProject(h func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), projectID string) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var mine events.DynamoDBEvent
		for _, r := range ev.Records {
			if r.Change.Keys["pk"].String() == "P#"+projectID {
				mine.Records = append(mine.Records, r)
			}
		}
		return h(ctx, mine)
	}
}

// A delete whose storage step fails changes nothing: the caller hears a
// fault it may retry (503), and the record and the object both stay, so no
// earlier download URL serves bytes of a file a 2xx said was deleted. The
// retry with storage working deletes both.
func TestDeleteWithS3FailingKeepsTheFile(t *testing.T) {
	c := newTenant(t)
	f := c.uploaded("d.pdf", "application/pdf", pdfBytes)
	c.WaitStatus(f.ID, "COMPLETED")
	broken := &faultyObjects{objectPorts: realObjects(), deletes: map[string]int{}, fail: func(string, int) bool { return true }}
	err := serviceWith(broken, files.Config{}).Delete(context.Background(), c.ProjectID, f.ID)
	if files.KindOf(err) != files.KindUnavailable {
		t.Fatalf("delete with S3 failing: %v, want unavailable (503)", err)
	}
	if !recordExists(t, c.ProjectID, f.ID) || !objectExists(t, c.ProjectID, f.ID) {
		t.Fatal("a delete that failed at storage removed the record or the object")
	}
	if err := serviceWith(realObjects(), files.Config{}).Delete(context.Background(), c.ProjectID, f.ID); err != nil {
		t.Fatal(err)
	}
	if recordExists(t, c.ProjectID, f.ID) || objectExists(t, c.ProjectID, f.ID) {
		t.Fatal("the retried delete left the record or the object")
	}
}

// The orphan walk deletes what no live file owns: an object without a record
// once older than the grace (ORPHAN_GRACE_SECONDS=2 in TestMain; a younger
// one may be a compat upload whose record is still being written), and a
// late upload of a CANCELLED file. A PENDING file's object (Converge's
// business) and a COMPLETED file's stay. Its bucket sends no events, so
// nothing else deletes them.
func TestOrphanWalkDeletesOldOrphansAndLateUploads(t *testing.T) {
	own := ownTableAndBucket(t)
	ctx := t.Context()
	store, objects := wiring.Store(own), s3wiring.Storage(own)
	svc := useCasesOn(store, objects, files.Options{})
	project := apitest.NewUUID()
	create := func() *files.File {
		cr, err := svc.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBytes))}})
		if err != nil {
			t.Fatal(err)
		}
		putRaw(t, own, cr.File.ObjectKey, pdfBytes, "application/pdf")
		return cr.File
	}
	pending, completed := create(), create()
	cancelled := create()
	if _, err := svc.Complete(ctx, project, completed.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.cancellation.Cancel(ctx, project, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	putRaw(t, own, cancelled.ObjectKey, pdfBytes, "application/pdf") // its PUT landed after the cancel
	orphan := files.ObjectKey(project, files.NewID(time.Now()))
	putRaw(t, own, orphan, pdfBytes, "application/pdf")
	walk := func(objects int) {
		t.Helper()
		rep, err := uploadwiring.Reconcile(own)(ctx, events.EventBridgeEvent{Detail: []byte(`{"job":"orphans"}`)})
		if err != nil || !rep.Done || rep.Scanned != objects {
			t.Fatalf("the walk: %+v %v, want all %d objects looked at", rep, err, objects)
		}
	}
	exists := func(key string) bool {
		_, err := stack.S3Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(own.Config.BucketName), Key: aws.String(key)})
		return err == nil
	}
	walk(4)
	if !exists(orphan) {
		t.Fatal("the walk deleted a fresh object (younger than the grace period)")
	}
	if exists(cancelled.ObjectKey) {
		t.Error("the walk kept a late upload of a CANCELLED file")
	}
	time.Sleep(2100 * time.Millisecond)
	walk(3)
	if exists(orphan) {
		t.Error("the walk kept an orphan older than the grace period")
	}
	if !exists(pending.ObjectKey) || !exists(completed.ObjectKey) {
		t.Error("the walk deleted a PENDING or COMPLETED file's object")
	}
}
