package dynamostore

import (
	"context"
	"sync/atomic"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

// Store implements the files ports on one DynamoDB table: the records, the
// catalog, and the job state of the upload package's reconcile.
type Store struct {
	db    *dynamo.DB
	table dynamo.Table
	// fallbackWalks counts the lists that walked the index because the
	// position counts could not place their page (list.go).
	fallbackWalks atomic.Int64
}

var (
	_ files.RecordReader  = (*Store)(nil)
	_ files.RecordCreator = (*Store)(nil)
	_ files.Transitioner  = (*Store)(nil)
	_ files.RecordDeleter = (*Store)(nil)
)

// New returns a store on the named table.
func New(db *dynamo.DB, table string) *Store {
	return &Store{db: db, table: db.Table(table)}
}

// Create writes the record with one conditional PutItem. No request writes
// an item another file's request also writes: the project's counts follow
// from the table's stream (counters.go), off the request path.
func (s *Store) Create(ctx context.Context, f *files.File) error {
	return classify(s.table.Put(toItem(f)).If("attribute_not_exists($)", "pk").Run(ctx))
}

// Get is a strongly consistent read keyed by project and file.
func (s *Store) Get(ctx context.Context, projectID string, id files.FileID) (*files.File, error) {
	var it fileItem
	err := s.table.Get("pk", projectPK(projectID)).Range("sk", dynamo.Equal, fileSK(id)).Consistent(true).One(ctx, &it)
	if err != nil {
		return nil, classify(err)
	}
	return it.toFile()
}

// Transition updates the record only while its status is from.
func (s *Store) Transition(ctx context.Context, f *files.File, from files.Status, c files.Change) (*files.File, error) {
	u := s.table.Update("pk", projectPK(f.ProjectID)).Range("sk", fileSK(f.ID)).
		Set("status", string(c.To)).Set("updatedAt", c.At).
		If("$ = ?", "status", string(from))
	if c.To == files.StatusCompleted {
		u.Set("completedAt", c.At)
	}
	if c.ETag != "" {
		u.Set("etag", c.ETag)
	}
	if c.MD5 != "" {
		u.Set("md5", c.MD5)
	}
	if c.SHA256 != "" {
		u.Set("sha256", c.SHA256)
	}
	if c.Rejection != nil {
		u.Set("rejectionCode", c.Rejection.Code).Set("rejectionMessage", c.Rejection.Message)
	}
	if c.Scan != nil {
		u.Set("scan", toScanItem(c.Scan))
	}
	if c.TTL > 0 {
		u.Set("ttl", c.TTL)
	} else {
		u.Remove("ttl")
	}
	if !c.AssemblingSince.IsZero() {
		u.Set("assemblingSince", c.AssemblingSince.UnixMilli())
	}
	reconcileIndex(u, f, c.ReconcileAt)
	// Entering or leaving COMPLETED moves the file in or out of the catalog
	// indexes in the same update (catalog_write.go).
	catalog(u, f, from, c.To)
	var it fileItem
	if err := u.Value(ctx, &it); err != nil {
		return nil, classify(err)
	}
	return it.toFile()
}

// Delete removes f's record with one DeleteItem conditioned on its status
// as f has it.
func (s *Store) Delete(ctx context.Context, f *files.File) error {
	err := s.table.Delete("pk", projectPK(f.ProjectID)).Range("sk", fileSK(f.ID)).If("$ = ?", "status", string(f.Status)).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		// Gone, or in another status: a consistent read tells which.
		if _, gerr := s.Get(ctx, f.ProjectID, f.ID); gerr != nil {
			return gerr
		}
		return files.ErrConditionFailed
	}
	return classify(err)
}
