package s3events

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files"
)

// FuzzS3EventKey decodes S3 event JSON (seeded from events/) and parses its
// keys: no input may panic, and a key accepted as Filegate's must round-trip.
func FuzzS3EventKey(f *testing.F) {
	raw, err := os.ReadFile("../../events/process-upload.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(raw))
	f.Add(`{"Records":[{"s3":{"object":{"key":"uploads%2Fp%2Ffil_X"}}}]}`)
	f.Add(`{"Records":[{"s3":{"object":{"key":"%zz"}}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var ev events.S3Event
		if json.Unmarshal([]byte(body), &ev) != nil {
			return
		}
		for _, r := range ev.Records {
			key := r.S3.Object.URLDecodedKey
			if p, id, ok := files.ParseObjectKey(key); ok && files.ObjectKey(p, id) != key {
				t.Fatalf("key %q parsed to %q %q, which is another key", key, p, id)
			}
		}
	})
}

func TestSampleEventKeyParses(t *testing.T) {
	raw, err := os.ReadFile("../../events/process-upload.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.S3Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := files.ParseObjectKey(ev.Records[0].S3.Object.URLDecodedKey); !ok {
		t.Fatalf("sample key %q is not a Filegate key", ev.Records[0].S3.Object.URLDecodedKey)
	}
}
