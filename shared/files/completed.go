package files

import (
	"context"
	"time"
)

// Bounds of every presigned URL's lifetime (DESIGN §2a). S3 accepts
// X-Amz-Expires up to 7 days, but a URL signed with temporary credentials
// (a Lambda role's) stops working when their session token expires, whatever
// it says; Lambda does not tell the code when that is, and AWS does not
// promise role sessions longer than an hour, so an hour is the most the API
// can promise.
const (
	MinURLTTL = time.Second
	MaxURLTTL = time.Hour
)

// GetCompleted is Get for views that show only COMPLETED files (the compat
// API): any other file is not found there.
func (s *Service) GetCompleted(ctx context.Context, projectID, id string) (*File, error) {
	f, err := s.Get(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	if f.Status != StatusCompleted {
		return nil, ErrNotFound
	}
	return f, nil
}

// DeleteCompleted deletes a COMPLETED file the way Delete deletes any file.
func (s *Service) DeleteCompleted(ctx context.Context, projectID, id string) error {
	if _, err := s.GetCompleted(ctx, projectID, id); err != nil {
		return err
	}
	return s.Delete(ctx, projectID, id)
}

// ContentURL presigns a download of a COMPLETED file f valid for ttl (0: the
// configured download TTL), clamped to [MinURLTTL, MaxURLTTL] and never past
// the file's retention.
func (s *Service) ContentURL(ctx context.Context, f *File, ttl time.Duration) (Presigned, error) {
	if ttl == 0 {
		ttl = s.cfg.DownloadURLTTL
	}
	ttl, ok := urlLifetime(f, min(max(ttl, MinURLTTL), MaxURLTTL), s.now())
	if !ok {
		return Presigned{}, ErrNotFound // retention ends now
	}
	return s.presignDownload(ctx, f, ttl)
}
