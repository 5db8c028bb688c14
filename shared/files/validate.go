package files

import (
	"context"
	"fmt"

	"github.com/gabriel-vasile/mimetype"
)

// sniffBytes is how much of an object validation reads: enough for the
// sniffer's signatures, constant whatever the object's size.
const sniffBytes = 3072

// inspect checks an uploaded object against its record (DESIGN §3). A nil
// rejection means valid; err is for faults and a missing object.
func (s *Service) inspect(ctx context.Context, f *File, md5 string) (ObjectInfo, *Rejection, error) {
	info, err := s.objects.Stat(ctx, f.ObjectKey)
	if err != nil {
		return ObjectInfo{}, nil, err
	}
	if info.Size != f.SizeBytes {
		return info, &Rejection{Code: "size_mismatch", Message: fmt.Sprintf("the object has %d bytes, %d were declared", info.Size, f.SizeBytes)}, nil
	}
	if ct, err := NormalizeMimeType(info.ContentType); err != nil || ct != f.MimeType {
		return info, &Rejection{Code: "content_type_mismatch", Message: fmt.Sprintf("the object was stored as %q, %s was declared", info.ContentType, f.MimeType)}, nil
	}
	if rej := s.checkPurpose(f); rej != nil {
		return info, rej, nil
	}
	head, err := s.objects.ReadPrefix(ctx, f.ObjectKey, sniffBytes)
	if err != nil {
		return ObjectInfo{}, nil, err
	}
	if rej := checkSniff(head, f.MimeType); rej != nil {
		return info, rej, nil
	}
	return info, checkMD5(md5, info.ETag), nil
}

// checkSniff is the content check every upload path shares: the first bytes
// must sniff to a type compatible with the declared one.
func checkSniff(head []byte, declared string) *Rejection {
	if detected := mimetype.Detect(head); !compatible(detected, declared) {
		return &Rejection{Code: "type_mismatch", Message: fmt.Sprintf("the content looks like %s, %s was declared", detected.String(), declared)}
	}
	return nil
}

// checkPurpose re-applies the purpose rules: configuration may have changed
// since the session was created.
func (s *Service) checkPurpose(f *File) *Rejection {
	limit := s.cfg.MaxBytes
	if p, ok := s.cfg.Purposes[f.Purpose]; ok {
		if !p.allows(f.MimeType) {
			return &Rejection{Code: "type_not_allowed", Message: fmt.Sprintf("purpose %q does not accept %s files", f.Purpose, f.MimeType)}
		}
		limit = min(limit, p.MaxBytes)
	}
	if f.SizeBytes > limit {
		return &Rejection{Code: "too_large", Message: fmt.Sprintf("the file exceeds the limit of %d bytes", limit)}
	}
	return nil
}

// activeContent are types a browser would execute; they must be declared as
// themselves, never hidden under a parent type such as text/plain.
var activeContent = []string{"text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript", "application/javascript", "text/xml", "application/xml"}

// compatible reports whether sniffed content may be stored as declared.
func compatible(detected *mimetype.MIME, declared string) bool {
	if detected.Is(declared) {
		return true
	}
	active := false
	for _, a := range activeContent {
		active = active || detected.Is(a)
	}
	// A more specific type than declared (CSV declared as text/plain, DOCX as
	// application/zip, anything as application/octet-stream) is fine unless it
	// is active content.
	for p := detected.Parent(); p != nil; p = p.Parent() {
		if p.Is(declared) {
			return !active
		}
	}
	// A generic sniff cannot contradict a declared type that the sniffer
	// recognises only heuristically (short CSV, truncated JSON) or not at all.
	switch {
	case detected.Is("text/plain"):
		known := mimetype.Lookup(declared)
		return known == nil || descends(known, "text/plain")
	case detected.Is("application/octet-stream"):
		return mimetype.Lookup(declared) == nil
	}
	return false
}

func descends(m *mimetype.MIME, ancestor string) bool {
	for p := m.Parent(); p != nil; p = p.Parent() {
		if p.Is(ancestor) {
			return true
		}
	}
	return false
}
