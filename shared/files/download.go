package files

import (
	"context"
	"time"
)

// Bounds of every presigned URL's lifetime (docs/ARCHITECTURE.md "Limits and lifetimes"). S3 accepts
// X-Amz-Expires up to 7 days, but a URL signed with temporary credentials
// (a Lambda role's) stops working when their session token expires, whatever
// it says; Lambda does not tell the code when that is, and AWS does not
// promise role sessions longer than an hour, so an hour is the most the API
// can promise.
const (
	MinURLTTL = time.Second
	MaxURLTTL = time.Hour
)

// Downloads signs download URLs of COMPLETED files.
type Downloads struct {
	Options
	records *Records
	signer  DownloadSigner
}

// NewDownloads signs downloads of the files records reads with signer.
func NewDownloads(records *Records, signer DownloadSigner, o Options) *Downloads {
	return &Downloads{Options: o.Resolved(), records: records, signer: signer}
}

// DownloadURL presigns a GET for a COMPLETED file (the native API's url),
// for the configured lifetime.
func (d *Downloads) DownloadURL(ctx context.Context, projectID string, id FileID) (Presigned, error) {
	f, err := d.records.Get(ctx, projectID, id)
	if err != nil {
		return Presigned{}, err
	}
	switch st := f.StatusAt(d.Now()); st {
	case StatusCompleted:
	case StatusScanning:
		return Presigned{}, ErrScanPending
	default:
		return Presigned{}, Errorf(KindConflict, "invalid_state", "a download URL exists only for a COMPLETED file; this one is %s", st)
	}
	return d.ContentURL(ctx, f, nil)
}

// ContentURL presigns a download of f, a COMPLETED file, for the lifetime
// asked for (nil: the configured one, at least MinURLTTL), as URLLifetime
// caps it; a file with less than MinURLTTL of retention left is gone.
func (d *Downloads) ContentURL(ctx context.Context, f *File, lifetime *time.Duration) (Presigned, error) {
	ttl := d.Config.DownloadURLTTL
	if lifetime != nil {
		ttl = *lifetime
	}
	ttl, ok := URLLifetime(f, max(ttl, MinURLTTL), d.Now())
	if !ok {
		return Presigned{}, ErrNotFound // retention ends now: as good as gone
	}
	return d.signer.PresignDownload(ctx, f.ObjectKey, Download{Filename: DownloadName(f.Filename), ContentType: f.MimeType, Expires: ttl})
}

// URLLifetime is the one rule for how long a presigned URL, upload or
// download, lives: ttl, but never past the signing credentials (MaxURLTTL)
// nor f's retention (S3 would serve or take bytes of a file that is gone),
// in the whole seconds presigning counts (rounded down); ok is false when
// less than MinURLTTL is left.
func URLLifetime(f *File, ttl time.Duration, now time.Time) (time.Duration, bool) {
	ttl = min(ttl, MaxURLTTL)
	if f.ExpiresAt != nil {
		ttl = min(ttl, f.ExpiresAt.Sub(now))
	}
	ttl = ttl.Truncate(time.Second)
	return ttl, ttl >= MinURLTTL
}
