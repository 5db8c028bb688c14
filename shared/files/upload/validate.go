package upload

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/filegate/filegate/shared/files"
)

// sniffBytes is how much of an object validation reads: enough for the
// sniffer's signatures, constant whatever the object's size.
const sniffBytes = 3072

// inspect checks an uploaded object, read through objects, against its
// record (docs/api.md "Validation"). A nil rejection means valid; err is for
// faults and a missing object.
func (s *Settlement) inspect(ctx context.Context, objects objectReads, f *files.File, md5 string) (files.ObjectInfo, *files.Rejection, error) {
	info, head, err := objects.Peek(ctx, f.ObjectKey, sniffBytes)
	if err != nil {
		return files.ObjectInfo{}, nil, err
	}
	if info.Size != f.SizeBytes {
		return info, &files.Rejection{Code: "size_mismatch", Message: fmt.Sprintf("the object has %d bytes, %d were declared", info.Size, f.SizeBytes)}, nil
	}
	if ct, err := files.NormalizeMimeType(info.ContentType); err != nil || ct != f.MimeType {
		return info, &files.Rejection{Code: "content_type_mismatch", Message: fmt.Sprintf("the object was stored as %q, %s was declared", info.ContentType, f.MimeType)}, nil
	}
	if rej := checkMetadata(info.Metadata); rej != nil {
		return info, rej, nil
	}
	if rej := checkPurpose(s.Config, f); rej != nil {
		return info, rej, nil
	}
	if rej := checkContent(head, f.MimeType); rej != nil {
		return info, rej, nil
	}
	return info, checkMD5(md5, info.ETag), nil
}

// checkMetadata refuses an object stored with metadata the upload session did
// not sign: Content-Encoding or Cache-Control would change how it is served,
// and none of it was validated.
func checkMetadata(stored map[string]string) *files.Rejection {
	var names []string
	for h, v := range stored {
		if !userAgentAdded(h, v) {
			names = append(names, h)
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	return &files.Rejection{Code: "unexpected_metadata", Message: "the object was stored with headers the upload did not sign: " + strings.Join(names, ", ")}
}

// userAgentAdded reports the one header browsers and fetch add by themselves
// to the PUT: the Fetch standard sends a request carrying If-None-Match with
// "Cache-Control: no-cache" ("max-age=0" in no-cache mode), and S3 stores it.
// Both only ask caches to revalidate, and downloads pin their own
// Cache-Control; every other value is refused.
func userAgentAdded(header, value string) bool {
	v := strings.ToLower(strings.TrimSpace(value))
	return header == "Cache-Control" && (v == "no-cache" || v == "max-age=0")
}
