package upload

import (
	"fmt"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// The rules on a declaration and on a purpose: create applies them to what
// a client declares, validation again to what was uploaded (configuration
// may have changed in between). Create names the broken rule in an error;
// validation rejects the upload.

// allows reports whether purpose accepts mimeType, under any of its names
// (application/x-pdf is application/pdf, audio/x-wav is audio/wav,
// audio/webm is video/webm's audio form). No purpose, or one the
// configuration does not know (create refuses those first), accepts any.
func allows(c files.Config, purpose, mimeType string) bool {
	p, ok := c.Purposes[purpose]
	if !ok || p.MimeTypes == nil {
		return true
	}
	name := lineage(mimeType)[0]
	for _, m := range p.MimeTypes {
		if m == mimeType || lineage(m)[0] == name {
			return true
		}
	}
	return false
}

// checkDeclaration validates a new file as declared at now, with a name of
// at most maxName characters, and normalises the declaration in place
// (files.Declared.Normalize).
func checkDeclaration(c files.Config, in *files.CreateInput, maxName int, now time.Time) error {
	if err := in.Normalize(maxName); err != nil {
		return err
	}
	if err := checkExtension(in.Filename, in.MimeType); err != nil {
		return err
	}
	if err := checkSize(c, in); err != nil {
		return err
	}
	if err := checkPlan(in); err != nil {
		return err
	}
	if !allows(c, in.Purpose, in.MimeType) {
		return files.Errorf(files.KindInvalid, "type_not_allowed", "purpose %q does not accept %s files", in.Purpose, in.MimeType).On(files.FieldMimeType)
	}
	if r := in.RetainUntil; r != nil && (!r.After(now) || r.After(now.Add(files.MaxRetention))) {
		return files.Errorf(files.KindInvalid, "invalid_retention", "%s must be in the future and within %d years", files.FieldRetention, int(files.MaxRetention.Hours()/24/365)).On(files.FieldRetention)
	}
	return nil
}

// checkSize checks the purpose and the declared size against the bounds
// (docs/ARCHITECTURE.md "Limits and lifetimes"). A declaration past a bound is a bad request naming sizeBytes
// and, in its code, the bound: nothing was sent yet, so nothing is too large.
func checkSize(c files.Config, in *files.CreateInput) error {
	if _, ok := c.Purposes[in.Purpose]; in.Purpose != "" && !ok {
		return files.Errorf(files.KindInvalid, "invalid_purpose", "unknown purpose %q", in.Purpose).On(files.FieldPurpose)
	}
	if in.SizeBytes < 1 {
		return files.Errorf(files.KindInvalid, "invalid_size", "%s must be at least 1", files.FieldSizeBytes).On(files.FieldSizeBytes)
	}
	switch bound, limit := c.SizeBound(in.Purpose, in.SizeBytes); bound {
	case files.BoundMax:
		return files.Errorf(files.KindInvalid, "too_large", "%s %d exceeds the maximum of %d bytes", files.FieldSizeBytes, in.SizeBytes, c.MaxBytes).On(files.FieldSizeBytes)
	case files.BoundPurpose:
		return files.Errorf(files.KindInvalid, "too_large_for_purpose", "%s %d exceeds the limit of %d bytes for purpose %q", files.FieldSizeBytes, in.SizeBytes, limit, in.Purpose).On(files.FieldSizeBytes)
	}
	return nil
}

// checkPurpose re-applies the purpose rules create applied.
func checkPurpose(c files.Config, f *files.File) *files.Rejection {
	if !allows(c, f.Purpose, f.MimeType) {
		return &files.Rejection{Code: "type_not_allowed", Message: fmt.Sprintf("purpose %q does not accept %s files", f.Purpose, f.MimeType)}
	}
	if bound, limit := c.SizeBound(f.Purpose, f.SizeBytes); bound != files.BoundNone {
		return &files.Rejection{Code: "too_large", Message: fmt.Sprintf("the file exceeds the limit of %d bytes", limit)}
	}
	return nil
}
