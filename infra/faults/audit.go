package faults

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/guregu/dynamo/v2"
)

// Record is the part of a file record the audit compares with the bucket.
type Record struct {
	ID             string `dynamo:"id"`
	ProjectID      string `dynamo:"projectId"`
	Filename       string `dynamo:"filename"`
	ExternalFileID string `dynamo:"externalFileId"`
	Status         string `dynamo:"status"`
	SizeBytes      int64  `dynamo:"sizeBytes"`
	ObjectKey      string `dynamo:"objectKey"`
}

// Uploaded tells the audit which bytes a client sent for a file; ok is false
// when it sent none. A test that cannot know a file's id (a create whose
// answer was lost) can match on Filename or ExternalFileID instead.
type Uploaded interface {
	BytesFor(r Record) (b []byte, ok bool)
}

// Uploads holds the bytes clients uploaded, by file id or, for a file whose
// id the client may never have learned (its create's answer lost), by its
// filename (unique within the test); safe for concurrent use. Add before the
// upload: one whose answer is lost may have landed.
type Uploads struct {
	mu     sync.Mutex
	byID   map[string][]byte
	byName map[string][]byte
}

// Add records that b is (being) uploaded to file id.
func (u *Uploads) Add(id string, b []byte) { u.add(&u.byID, id, b) }

// AddNamed records that b is (being) uploaded to the file named name.
func (u *Uploads) AddNamed(name string, b []byte) { u.add(&u.byName, name, b) }

func (u *Uploads) add(m *map[string][]byte, k string, b []byte) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if *m == nil {
		*m = map[string][]byte{}
	}
	(*m)[k] = b
}

// BytesFor implements Uploaded by file id, else by filename.
func (u *Uploads) BytesFor(r Record) ([]byte, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if b, ok := u.byID[r.ID]; ok {
		return b, true
	}
	b, ok := u.byName[r.Filename]
	return b, ok
}

// AuditReport is what Audit found; Problems is empty when records and
// objects agree.
type AuditReport struct {
	Records, Objects int
	ByStatus         map[string]int
	Problems         []string
}

// Audit compares every file record in table with every object under uploads/
// in bucket. Run it once traffic has stopped and reconcile has been over the
// whole bucket (with no orphan grace), because it holds the stack to the end
// state crash consistency promises:
//   - COMPLETED: its object exists, has the declared size and exactly the
//     bytes the client uploaded;
//   - SCANNING (validated, waiting for its malware scan's verdict, as after
//     a crash mid-scan: its look comes later): its object exists;
//   - any other state: no object;
//   - an object no record points at: a problem.
func Audit(ctx context.Context, db *dynamodb.Client, s3c *s3.Client, table, bucket string, up Uploaded) (AuditReport, error) {
	rep := AuditReport{ByStatus: map[string]int{}}
	records, err := fileRecords(ctx, db, table)
	if err != nil {
		return rep, err
	}
	sizes, err := objectSizes(ctx, s3c, bucket, "uploads/")
	if err != nil {
		return rep, err
	}
	rep.Records, rep.Objects = len(records), len(sizes)
	problem := func(format string, args ...any) { rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...)) }
	for _, r := range records {
		rep.ByStatus[r.Status]++
		size, hasObject := sizes[r.ObjectKey]
		delete(sizes, r.ObjectKey)
		switch {
		case r.Status == "SCANNING":
			if !hasObject {
				problem("file %s waits for its malware scan but its object %s is missing", r.ID, r.ObjectKey)
			}
		case r.Status != "COMPLETED":
			if hasObject {
				problem("file %s is %s but its object %s exists (%d bytes)", r.ID, r.Status, r.ObjectKey, size)
			}
		case !hasObject:
			problem("file %s is COMPLETED but its object %s is missing", r.ID, r.ObjectKey)
		case size != r.SizeBytes:
			problem("file %s is COMPLETED with %d bytes declared but its object has %d", r.ID, r.SizeBytes, size)
		default:
			want, ok := up.BytesFor(r)
			if !ok {
				problem("file %s is COMPLETED but no client uploaded to it", r.ID)
				continue
			}
			got, err := objectBytes(ctx, s3c, bucket, r.ObjectKey)
			if err != nil {
				return rep, err
			}
			if !bytes.Equal(got, want) {
				problem("file %s is COMPLETED but its object's %d bytes are not the %d the client uploaded", r.ID, len(got), len(want))
			}
		}
	}
	orphans := make([]string, 0, len(sizes))
	for key := range sizes {
		orphans = append(orphans, key)
	}
	sort.Strings(orphans)
	for _, key := range orphans {
		problem("object %s has no record", key)
	}
	return rep, nil
}

// fileRecords reads every file record (items with sk F#<id>; layout in
// shared/dynamostore/item.go) with a consistent scan.
func fileRecords(ctx context.Context, db *dynamodb.Client, table string) ([]Record, error) {
	var out []Record
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{
		TableName:                 aws.String(table),
		ConsistentRead:            aws.Bool(true),
		FilterExpression:          aws.String("begins_with(sk, :file)"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":file": &ddbtypes.AttributeValueMemberS{Value: "F#"}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("audit: scan %s: %w", table, err)
		}
		for _, item := range page.Items {
			var r Record
			if err := dynamo.UnmarshalItem(item, &r); err != nil {
				return nil, fmt.Errorf("audit: file record: %w", err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func objectSizes(ctx context.Context, s3c *s3.Client, bucket, prefix string) (map[string]int64, error) {
	out := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(s3c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("audit: list %s: %w", bucket, err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = aws.ToInt64(o.Size)
		}
	}
	return out, nil
}

func objectBytes(ctx context.Context, s3c *s3.Client, bucket, key string) ([]byte, error) {
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("audit: get %s: %w", key, err)
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}
