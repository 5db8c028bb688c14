package files

import (
	"context"
	"fmt"
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
	if rej := checkContent(head, f.MimeType); rej != nil {
		return info, rej, nil
	}
	return info, checkMD5(md5, info.ETag), nil
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
