package dynamostore

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

// Store implements the files ports on one DynamoDB table: the records, the
// catalog, and the job state of the upload package's reconcile.
type Store struct {
	db    *dynamo.DB
	table dynamo.Table
}

var (
	_ files.RecordReader  = (*Store)(nil)
	_ files.RecordCreator = (*Store)(nil)
	_ files.Transitioner  = (*Store)(nil)
	_ files.RecordDeleter = (*Store)(nil)
	_ files.Forgetter     = (*Store)(nil)
)

// New returns a store on the named table.
func New(db *dynamo.DB, table string) *Store {
	return &Store{db: db, table: db.Table(table)}
}

// Create writes the record and bumps the project's counter in one transaction,
// so totalCount never drifts from the records.
func (s *Store) Create(ctx context.Context, f *files.File) error {
	it := toItem(f)
	put := s.table.Put(it).If("attribute_not_exists($)", "pk")
	count := s.table.Update("pk", it.PK).Range("sk", counterSK).Add("files", 1)
	return classify(s.db.WriteTx().Put(put).Update(count).Run(ctx))
}

// Get is a strongly consistent read keyed by project and file.
func (s *Store) Get(ctx context.Context, projectID, id string) (*files.File, error) {
	var it fileItem
	err := s.table.Get("pk", projectPK(projectID)).Range("sk", dynamo.Equal, fileSK(id)).Consistent(true).One(ctx, &it)
	if err != nil {
		return nil, classify(err)
	}
	return it.toFile(), nil
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
	if c.Rejection != nil {
		u.Set("rejectionCode", c.Rejection.Code).Set("rejectionMessage", c.Rejection.Message)
	}
	if c.TTL > 0 {
		u.Set("ttl", c.TTL)
	} else {
		u.Remove("ttl")
	}
	if from == files.StatusCompleted || c.To == files.StatusCompleted {
		// Entering or leaving COMPLETED also moves the file in or out of the
		// catalog indexes and counter, in one transaction (catalog_write.go).
		return s.transitionCataloged(ctx, u, f, from, c)
	}
	var it fileItem
	if err := u.Value(ctx, &it); err != nil {
		return nil, classify(err)
	}
	return it.toFile(), nil
}

// Delete removes the record and decrements the counters in one transaction
// (catalog_write.go: a COMPLETED file also leaves the completed count).
func (s *Store) Delete(ctx context.Context, projectID, id string) error {
	return s.deleteCounted(ctx, projectID, id)
}
