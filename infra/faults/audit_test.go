package faults

import (
	"bytes"
	"context"
	"net/http"
	"path"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack"
)

// TestAuditFindsEveryMismatch breaks a clean stack behind the API's back in
// each way the audit must catch, so that the crash tests' clean audits mean
// something.
func TestAuditFindsEveryMismatch(t *testing.T) {
	ctx := context.Background()
	st := startStack(t)
	c := newClient(t, st)
	up := &Uploads{}
	completed := func(n int, known bool) filegate.File {
		body := uniquePDF(n)
		f := create(c, body)
		if known {
			up.Add(f.ID, body)
		}
		putBody(t, f, body)
		if status, _ := c.Do("POST", "/v1/files/"+f.ID+"/complete", nil, &f); status != http.StatusOK || f.Status != "COMPLETED" {
			t.Fatalf("complete: %d %+v", status, f)
		}
		return f
	}
	intact, overwritten, lost, unknown := completed(1, true), completed(2, true), completed(3, true), completed(4, false)
	pending := create(c, uniquePDF(5))

	// Clean except for the file no client is known to have uploaded.
	rep, err := Audit(ctx, st.DynamoClient(), st.S3Client(), localstack.TableName, localstack.BucketName, up)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], unknown.ID) {
		t.Fatalf("audit of an intact stack: %q, want only %s's unknown upload", rep.Problems, unknown.ID)
	}

	// Raw writes must not be settled by events before the audit sees them.
	if err := st.MinIO.Unnotify(ctx, localstack.BucketName); err != nil {
		t.Fatal(err)
	}
	s3c := st.S3Client()
	records, err := fileRecords(ctx, st.DynamoClient(), localstack.TableName)
	if err != nil {
		t.Fatal(err)
	}
	key := func(f filegate.File) string {
		for _, r := range records {
			if r.ID == f.ID {
				return r.ObjectKey
			}
		}
		t.Fatalf("no record for %s", f.ID)
		return ""
	}
	put := func(key string, body []byte) {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	put(key(overwritten), uniquePDF(7)) // same size, other bytes
	if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(key(lost))}); err != nil {
		t.Fatal(err)
	}
	put(key(pending), uniquePDF(5))
	orphan := path.Dir(key(intact)) + "/no-such-file"
	put(orphan, uniquePDF(8))

	rep, err = Audit(ctx, st.DynamoClient(), st.S3Client(), localstack.TableName, localstack.BucketName, up)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		overwritten.ID: "not the", lost.ID: "missing", unknown.ID: "no client uploaded",
		pending.ID: "is PENDING but its object", orphan: "has no record",
	}
	if len(rep.Problems) != len(want) {
		t.Errorf("audit found %d problems, want %d: %q", len(rep.Problems), len(want), rep.Problems)
	}
	for subject, what := range want {
		found := false
		for _, p := range rep.Problems {
			found = found || strings.Contains(p, subject) && strings.Contains(p, what)
		}
		if !found {
			t.Errorf("audit missed %s (%q): %q", subject, what, rep.Problems)
		}
	}
}
