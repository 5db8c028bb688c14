package files

import "time"

// TTL rules: when DynamoDB may delete a record. Reads never rely on TTL having
// run (StatusAt, GoneAt); TTL only bounds how long records and objects linger.

// pendingTTL keeps an unfinished session readable as EXPIRED for a grace
// period after it ends, but never past retention.
func (s *Service) pendingTTL(f *File) int64 {
	return earliest(f.UploadExpiresAt.Add(s.cfg.PendingGrace), f.ExpiresAt)
}

// completedTTL is the end of retention; 0 (no TTL) keeps the file.
func completedTTL(f *File) int64 {
	if f.ExpiresAt == nil {
		return 0
	}
	return f.ExpiresAt.Unix()
}

// terminalTTL keeps CANCELLED and REJECTED records (and their reasons) for a while.
func (s *Service) terminalTTL(f *File, now time.Time) int64 {
	return earliest(now.Add(s.cfg.TerminalKeep), f.ExpiresAt)
}

func earliest(t time.Time, retention *time.Time) int64 {
	if retention != nil && retention.Before(t) {
		t = *retention
	}
	return t.Unix()
}
