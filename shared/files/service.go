package files

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Config is the service's tunables; zero values take the defaults.
type Config struct {
	UploadURLTTL   time.Duration      // lifetime of an upload session and its PUT URL (≤ MaxURLTTL)
	DownloadURLTTL time.Duration      // lifetime of a download URL (≤ MaxURLTTL)
	MaxBytes       int64              // cap for every file (≤ MaxSinglePutBytes)
	Purposes       map[string]Purpose // nil: DefaultPurposes()
	PendingGrace   time.Duration      // how long an EXPIRED session stays readable before TTL
	TerminalKeep   time.Duration      // how long CANCELLED/REJECTED records are kept
}

func (c Config) withDefaults() Config {
	if c.UploadURLTTL <= 0 {
		c.UploadURLTTL = 15 * time.Minute
	}
	if c.DownloadURLTTL <= 0 {
		c.DownloadURLTTL = 5 * time.Minute
	}
	// No URL outlives the credentials that sign it (MaxURLTTL); a single-PUT
	// session has one URL, so it ends with it.
	c.UploadURLTTL, c.DownloadURLTTL = min(c.UploadURLTTL, MaxURLTTL), min(c.DownloadURLTTL, MaxURLTTL)
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	c.MaxBytes = min(c.MaxBytes, MaxSinglePutBytes)
	if c.Purposes == nil {
		c.Purposes = DefaultPurposes()
	}
	if c.PendingGrace <= 0 {
		c.PendingGrace = 7 * 24 * time.Hour
	}
	if c.TerminalKeep <= 0 {
		c.TerminalKeep = 30 * 24 * time.Hour
	}
	return c
}

// Service is the file lifecycle: every API dialect and the S3 processor call it.
type Service struct {
	store   Store
	objects Objects
	cfg     Config
	now     func() time.Time
	log     *slog.Logger
	metrics Metrics
}

// NewService wires a service; now may be nil (time.Now).
func NewService(store Store, objects Objects, cfg Config, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: store, objects: objects, cfg: cfg.withDefaults(), now: func() time.Time { return now().UTC() }, log: log, metrics: noMetrics{}}
}

// Now is the service clock, for views that render statuses.
func (s *Service) Now() time.Time { return s.now() }

// Get returns a live file of the project; a file past retention is not
// found. id may be in either spelling (id.go): every operation on one file
// starts here, so all of them accept both.
func (s *Service) Get(ctx context.Context, projectID, id string) (*File, error) {
	id, ok := CanonicalID(id)
	if !ok {
		return nil, ErrNotFound
	}
	f, err := s.store.Get(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	if f.GoneAt(s.now()) {
		return nil, ErrNotFound
	}
	return f, nil
}

// List returns one newest-first page and the project's total.
func (s *Service) List(ctx context.Context, projectID string, limit, offset int) ([]*File, int, error) {
	page, total, err := s.store.List(ctx, projectID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	live := page[:0]
	for _, f := range page {
		if !f.GoneAt(now) {
			live = append(live, f)
		}
	}
	return live, total, nil
}

// Cancel ends a PENDING session.
func (s *Service) Cancel(ctx context.Context, projectID, id string) (*File, error) {
	f, err := s.Get(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	if st := f.StatusAt(s.now()); st != StatusPending {
		return nil, Errorf(KindConflict, "invalid_state", "only a PENDING file can be cancelled; this one is %s", st)
	}
	now := s.now()
	f, err = s.store.Transition(ctx, f, StatusPending, Change{To: StatusCancelled, At: now, TTL: s.terminalTTL(f, now)})
	if errors.Is(err, ErrConditionFailed) {
		return nil, Errorf(KindConflict, "invalid_state", "the file changed state; only a PENDING file can be cancelled")
	}
	if err == nil {
		s.metrics.Record("cancelled", f.SizeBytes)
	}
	return f, err
}

// Delete removes the record, then the object. A failure half-way never leaves
// a record pointing at a missing object: at worst an object without a record,
// which the next reconcile run deletes (and which no client can reach).
func (s *Service) Delete(ctx context.Context, projectID, id string) error {
	f, err := s.Get(ctx, projectID, id)
	if err != nil {
		return err
	}
	if err := s.store.Delete(ctx, projectID, f.ID); err != nil {
		return err
	}
	s.metrics.Record("deleted", f.SizeBytes)
	if err := s.objects.Delete(ctx, f.ObjectKey); err != nil {
		s.log.WarnContext(ctx, "object left for reconcile", "key", f.ObjectKey, "err", err)
	}
	return nil
}
