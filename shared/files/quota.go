package files

import (
	"context"
)

// Quotas (a Filegate extension): the operator may cap what a project holds,
// in files and in bytes. A file is held while its record is PENDING (its
// declared size reserved) or COMPLETED; cancelling a session, a rejection,
// a deletion and TTL's removal free it. The counts come from the table's
// stream (eventually consistent), so creates that land within the count's
// lag of each other are judged on the same count: docs/api.md "Quotas"
// bounds the overshoot.

// Quota is a project's limits; 0 is none.
type Quota struct {
	MaxFiles int64
	MaxBytes int64
}

// Usage is what a project holds, as its counts show.
type Usage struct {
	Files int64
	Bytes int64
}

// QuotaReader reads a project's quota and its usage.
type QuotaReader interface {
	// Quota is the operator's quota for the project (zero: none).
	Quota(ctx context.Context, orgID, projectID string) (Quota, error)
	// Usage is what the project holds, as its counts last followed.
	Usage(ctx context.Context, projectID string) (Usage, error)
}

// Admit refuses one more file of sizeBytes past q, given u.
func (q Quota) Admit(u Usage, sizeBytes int64) error {
	if q.MaxFiles > 0 && u.Files+1 > q.MaxFiles {
		return Errorf(KindForbidden, "quota_exceeded", "this project holds %d files; its quota allows %d", u.Files, q.MaxFiles)
	}
	if q.MaxBytes > 0 && u.Bytes+sizeBytes > q.MaxBytes {
		return Errorf(KindForbidden, "quota_exceeded", "this project holds %d bytes; its quota of %d bytes leaves room for %d more, and this file has %d", u.Bytes, q.MaxBytes, max(0, q.MaxBytes-u.Bytes), sizeBytes).On(FieldSizeBytes)
	}
	return nil
}

// CheckQuota refuses a new file of sizeBytes that would take its project
// past its quota; a project without one costs a single (cached) read.
func CheckQuota(ctx context.Context, r QuotaReader, orgID, projectID string, sizeBytes int64) error {
	if r == nil {
		return nil
	}
	q, err := r.Quota(ctx, orgID, projectID)
	if err != nil || q == (Quota{}) {
		return err
	}
	u, err := r.Usage(ctx, projectID)
	if err != nil {
		return err
	}
	return q.Admit(u, sizeBytes)
}
