package nativeapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// The File shows as sha256 only a digest storage verified (a single PUT
// signs it, the compat upload stores its bytes with it); a multipart file's
// whole-file digest, which storage never checks, shows as claimedSha256.
func TestOnlyAVerifiedDigestIsShownAsSHA256(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	multipart := &files.Multipart{UploadID: "u", PartSizeBytes: files.MinPartBytes, PartSHA256: true}
	for _, tc := range []struct {
		name string
		file files.File
		want map[string]any // the digest fields the JSON carries
	}{
		{"single PUT with a signed sha256", files.File{Declared: files.Declared{SHA256: sum}}, map[string]any{"sha256": sum}},
		{"multipart with the client's sha256", files.File{Declared: files.Declared{SHA256: sum}, Multipart: multipart}, map[string]any{"claimedSha256": sum}},
		{"no digest", files.File{}, map[string]any{}},
		{"multipart without one", files.File{Multipart: multipart}, map[string]any{}},
	} {
		f := tc.file
		f.ID, f.Status, f.SizeBytes, f.CreatedAt = files.MustParseFileID("fil_06H0EN1ZAP202AP5WPNPHXF894"), files.StatusCompleted, 3, time.Now()
		raw, _ := json.Marshal(toJSON(&f, time.Now()))
		var got map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		digests := map[string]any{}
		for _, k := range []string{"sha256", "claimedSha256"} {
			if v, ok := got[k]; ok {
				digests[k] = v
			}
		}
		if !reflect.DeepEqual(digests, tc.want) {
			t.Errorf("%s: the File carries %v, want %v", tc.name, digests, tc.want)
		}
	}
}
