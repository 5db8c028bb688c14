package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// A record made before IDs were UUIDv7 has the ULID layout under the same
// fil_ spelling (48-bit milliseconds, 80 random bits: no version bits). Both
// of its spellings reach it on both APIs, and listings walk it with new files.
func TestLegacyIDsKeepWorking(t *testing.T) {
	t.Parallel()
	const legacy, legacyUUID = "fil_06H0EN1ZAP202AP5WPNPHXF894", "01a20754-3f55-8401-2ac5-e5ab68f5e849"
	c := newTenant(t)
	ctx := context.Background()
	body := []byte("written before UUIDv7\n")
	now := time.Now().UTC()
	store := dynamostore.New(dynamo.NewFromIface(stack.DynamoClient()), localstack.TableName)
	legacyID := files.MustParseFileID(legacy)
	if err := store.Create(ctx, &files.File{
		ID: legacyID, ProjectID: c.ProjectID, Declared: files.Declared{Filename: "legacy.txt", MimeType: "text/plain", SizeBytes: int64(len(body))},
		Status: files.StatusPending, CreatedAt: now, UpdatedAt: now, UploadExpiresAt: now.Add(15 * time.Minute),
		ObjectKey: files.ObjectKey(c.ProjectID, legacyID),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := stack.S3Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: strPtr(localstack.BucketName), Key: strPtr(files.ObjectKey(c.ProjectID, legacyID)),
		Body: bytes.NewReader(body), ContentType: strPtr("text/plain"),
	}); err != nil {
		t.Fatal(err)
	}
	var f filegate.File
	if st := c.Call("POST", "/v1/files/"+legacyUUID+"/complete", nil, &f); st != http.StatusOK || f.Status != "COMPLETED" || f.ID != legacy {
		t.Fatalf("complete by the UUID spelling: %d %+v", st, f)
	}
	for _, id := range []string{legacy, legacyUUID} {
		var compat struct{ ID string }
		if st := c.Call("GET", "/api/v1/beta/files/"+id, nil, &compat); st != http.StatusOK || compat.ID != legacyUUID {
			t.Errorf("compat GET %s: %d, id %q; want %q", id, st, compat.ID, legacyUUID)
		}
		if st := c.Call("GET", "/v1/files/"+id+"/url", nil, nil); st != http.StatusOK {
			t.Errorf("native url %s: %d", id, st)
		}
	}
	fresh := make([]string, 2)
	for i := range fresh {
		st, raw := compatUpload(t, c.Key, "new.txt", "user_data", []byte("new\n"))
		var up struct{ ID string }
		if err := json.Unmarshal(raw, &up); st != http.StatusOK || err != nil {
			t.Fatalf("compat upload: %d %s", st, raw)
		}
		fresh[i] = up.ID
	}
	for _, order := range []string{"id", "created_at", "name"} {
		var got []string
		token := ""
		for pages := 0; pages < 10; pages++ {
			var page struct {
				Items []struct{ ID string } `json:"items"`
				Next  *string               `json:"next_page_token"`
			}
			if st := c.Call("GET", "/api/v1/beta/files?page_size=1&order_by="+order+"&page_token="+token, nil, &page); st != http.StatusOK {
				t.Fatalf("list by %s: %d", order, st)
			}
			for _, it := range page.Items {
				got = append(got, it.ID)
			}
			if page.Next == nil || *page.Next == "" {
				break
			}
			token = *page.Next
		}
		want := append([]string{legacyUUID}, fresh...)
		if slices.Sort(got); !slices.Equal(got, sorted(want)) {
			t.Errorf("walk by %s: %v, want %v", order, got, want)
		}
	}
	var byIDs struct {
		Items []struct{ ID string } `json:"items"`
	}
	if c.Call("GET", "/api/v1/beta/files?file_ids="+legacy+","+fresh[0], nil, &byIDs); len(byIDs.Items) != 2 {
		t.Errorf("file_ids with both spellings: %+v", byIDs.Items)
	}
	if st := c.Call("DELETE", "/api/v1/beta/files/"+legacy, nil, nil); st != http.StatusNoContent || objectExists(t, c.ProjectID, legacy) {
		t.Errorf("delete by the fil_ spelling: %d", st)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
