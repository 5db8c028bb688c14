package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/clamd"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/wiring"
)

// upload is a native single-PUT upload: create, PUT the bytes, complete.
// The file comes back as complete left it (PENDING while its scan runs).
func upload(t *testing.T, c *apitest.Tenant, name, mimeType string, body []byte) filegate.File {
	t.Helper()
	ctx := context.Background()
	f, err := c.Client.Create(ctx, filegate.CreateRequest{Filename: name, MimeType: mimeType, SizeBytes: int64(len(body))})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	if st := apitest.Put(t, f.UploadURL, f.UploadHeaders, body); st != http.StatusOK {
		t.Fatalf("PUT %s: %d", name, st)
	}
	done, _, err := c.Client.Complete(ctx, f.ID, "")
	var apiErr *filegate.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusUnprocessableEntity {
		return c.WaitStatus(f.ID, "REJECTED") // rejected already (the S3 event scanned first)
	}
	if err != nil {
		t.Fatalf("complete %s: %v", name, err)
	}
	return done
}

// settled polls GET until the file leaves PENDING, for up to 30 s.
func settled(t *testing.T, c *apitest.Tenant, id string) filegate.File {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		f, err := c.Client.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if f.Status != "PENDING" || time.Now().After(deadline) {
			return f
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// record is the file's record as stored (the operator's view).
func record(t *testing.T, c *apitest.Tenant, id string) *files.File {
	t.Helper()
	f, err := wiring.Store(env).Get(context.Background(), c.ProjectID, files.MustParseFileID(id))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// objectExists reports whether storage holds the file's object.
func objectExists(t *testing.T, c *apitest.Tenant, id string) bool {
	t.Helper()
	_, err := stack.S3Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(files.ObjectKey(c.ProjectID, files.MustParseFileID(id)))})
	var nf *s3types.NotFound
	if errors.As(err, &nf) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

func scanStatus(f filegate.File) string {
	if f.Scan == nil {
		return ""
	}
	return f.Scan.Status
}

// EICAR, EICAR inside a larger file, and the project's marker end REJECTED
// (malware_detected) with their objects deleted; the signature stays on the
// record for the operator and is never shown to the uploader.
func TestMalwareIsRejectedAndDeleted(t *testing.T) {
	c := apitest.NewTenant(t, stack)
	for name, tc := range map[string]struct {
		body []byte
		sig  string
	}{
		"eicar.txt":        {clamd.EICAR(), clamd.EICARSignature},
		"report.txt":       {append(append([]byte("quarterly numbers\n"), clamd.EICAR()...), "\n"...), clamd.EICARSignature},
		"marker-notes.txt": {[]byte("notes " + clamd.Marker + "\n"), clamd.MarkerSignature},
	} {
		t.Run(name, func(t *testing.T) {
			f := settled(t, c, upload(t, c, name, "text/plain", tc.body).ID)
			if f.Status != "REJECTED" || f.Rejection == nil || f.Rejection.Code != "malware_detected" || scanStatus(f) != "infected" {
				t.Fatalf("%s: %s %+v scan %q, want REJECTED malware_detected, scan infected", name, f.Status, f.Rejection, scanStatus(f))
			}
			if strings.Contains(f.Rejection.Message, tc.sig) {
				t.Errorf("the uploader reads the signature: %q", f.Rejection.Message)
			}
			if objectExists(t, c, f.ID) {
				t.Error("the infected object is still in storage")
			}
			if r := record(t, c, f.ID); r.Scan == nil || r.Scan.Signature != tc.sig {
				t.Errorf("the record keeps %+v, want signature %s for the operator", r.Scan, tc.sig)
			}
			if _, _, err := c.Client.DownloadURL(context.Background(), f.ID); err == nil {
				t.Error("a download URL for an infected file")
			}
		})
	}
}

// A clean file completes, scanned, and downloads.
func TestCleanFileCompletes(t *testing.T) {
	c := apitest.NewTenant(t, stack)
	body := []byte("minutes of the meeting: nothing to see here\n")
	f := settled(t, c, upload(t, c, "minutes.txt", "text/plain", body).ID)
	if f.Status != "COMPLETED" || scanStatus(f) != "clean" {
		t.Fatalf("%s scan %q, want COMPLETED, scan clean", f.Status, scanStatus(f))
	}
	u, _, err := c.Client.DownloadURL(context.Background(), f.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
		t.Fatalf("download: %d %q", resp.StatusCode, got)
	}
}

// The scanner's limit is exact: a file of the limit's size is scanned and
// completes; one byte more is one the scanner will not judge, rejected
// (the default outcome) with its own reason.
func TestOneByteOverTheScanLimit(t *testing.T) {
	c := apitest.NewTenant(t, stack)
	for _, tc := range []struct {
		size   int
		status string
		code   string
		scan   string
	}{
		{scanLimit, "COMPLETED", "", "clean"},
		{scanLimit + 1, "REJECTED", "scan_unsupported", "unsupported"},
	} {
		f := settled(t, c, upload(t, c, fmt.Sprintf("%d.txt", tc.size), "text/plain", bytes.Repeat([]byte("a"), tc.size)).ID)
		code := ""
		if f.Rejection != nil {
			code = f.Rejection.Code
		}
		if f.Status != tc.status || code != tc.code || scanStatus(f) != tc.scan {
			t.Errorf("%d bytes: %s %q scan %q, want %s %q scan %q", tc.size, f.Status, code, scanStatus(f), tc.status, tc.code, tc.scan)
		}
	}
}

// The compat upload scans inline: an infected file is its 422, a clean one
// its 200 (and listed).
func TestCompatUploadScansInline(t *testing.T) {
	c := apitest.NewTenant(t, stack)
	for _, tc := range []struct {
		body   []byte
		status int
	}{
		{clamd.EICAR(), http.StatusUnprocessableEntity},
		{[]byte("a clean note\n"), http.StatusOK},
	} {
		st, body := apitest.CompatUploadPart(t, stack.APIURL, c.Key, `form-data; name="file"; filename="note.txt"`, "text/plain", "user_data", tc.body)
		if st != tc.status {
			t.Errorf("compat upload: %d %s, want %d", st, body, tc.status)
		}
		if tc.status == http.StatusUnprocessableEntity && !bytes.Contains(body, []byte("malware")) {
			t.Errorf("the 422 does not say why: %s", body)
		}
	}
}

// With clamd stopped, files whose bytes passed validation wait: PENDING
// with their scan pending and no session end, never COMPLETED, never
// EXPIRED (not even past their upload session), never lost; no download
// URL and no cancel meanwhile. Once clamd is back, reconcile's next look
// settles them: the clean one completes, the infected one is rejected.
func TestClamdDownFilesWaitAndSettleWhenItReturns(t *testing.T) {
	ctx := context.Background()
	c := apitest.NewTenant(t, stack)
	if err := stack.Clamd.Stop(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = stack.Clamd.Restart(context.Background())
		}
	})
	clean := upload(t, c, "clean.txt", "text/plain", []byte("fine words\n"))
	infected := upload(t, c, "eicar.txt", "text/plain", clamd.EICAR())
	for _, f := range []filegate.File{clean, infected} {
		if f.Status != "PENDING" || scanStatus(f) != "pending" || f.ExpiresAt != nil {
			t.Fatalf("complete answered %s scan %q expiresAt %v, want PENDING, scan pending, expiresAt null", f.Status, scanStatus(f), f.ExpiresAt)
		}
	}
	// Mid-scan: no download URL, no cancel.
	_, _, err := c.Client.DownloadURL(ctx, clean.ID)
	var apiErr *filegate.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict || apiErr.Code != "scan_pending" {
		t.Errorf("download URL mid-scan: %v, want 409 scan_pending", err)
	}
	if _, err := c.Client.Cancel(ctx, clean.ID); !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict {
		t.Errorf("cancel mid-scan: %v, want 409", err)
	}
	// Past the upload session's end (60 s) and through reconcile's looks
	// with the scanner down, they still wait, their TTL the scan's own.
	sessionEnd := record(t, c, clean.ID).UploadExpiresAt
	for time.Now().Before(sessionEnd.Add(time.Second)) {
		if _, err := stack.ReconcileAll(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
	}
	for _, f := range []filegate.File{clean, infected} {
		got, err := c.Client.Get(ctx, f.ID)
		if err != nil || got.Status != "PENDING" || scanStatus(got) != "pending" {
			t.Fatalf("past its session with clamd down: %s scan %q (%v), want PENDING, scan pending", got.Status, scanStatus(got), err)
		}
		r := record(t, c, f.ID)
		if r.Status != files.StatusScanning || r.Scan.Attempts < 2 || r.TTL < time.Now().Add(24*time.Hour).Unix() || !objectExists(t, c, f.ID) {
			t.Fatalf("record: %s %+v ttl %s, object kept %v", r.Status, r.Scan, time.Unix(r.TTL, 0), objectExists(t, c, f.ID))
		}
	}
	if err := stack.Clamd.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	restarted = true
	time.Sleep(1100 * time.Millisecond) // their next look comes due
	if rep, err := stack.ReconcileAll(ctx); err != nil {
		t.Fatal(err)
	} else if rep.ScansSettled < 2 {
		t.Errorf("reconcile with clamd back: %+v, want both scans settled", rep)
	}
	if f := settled(t, c, clean.ID); f.Status != "COMPLETED" || scanStatus(f) != "clean" {
		t.Errorf("clean file after clamd returned: %s scan %q", f.Status, scanStatus(f))
	}
	if f := settled(t, c, infected.ID); f.Status != "REJECTED" || f.Rejection.Code != "malware_detected" || objectExists(t, c, f.ID) {
		t.Errorf("infected file after clamd returned: %s %+v", f.Status, f.Rejection)
	}
}
