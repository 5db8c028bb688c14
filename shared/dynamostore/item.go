// Package dynamostore is the DynamoDB adapter (guregu/dynamo v2): every item
// of Filegate's one table. File records, and the project counts the table's
// stream keeps (Counters); idempotency records; API keys; upload tokens'
// ledgers; background jobs' cursors and leases. No item holds a secret:
// tokens' signing keys derive from the root secret (shared/rootsecret).
//
// Item layout:
//
//	file:     pk=P#<project> sk=F#<fileId>  lpk=P#<project> lsk=<fileId>
//	          while COMPLETED also: cpk=P#<project> cid=<fileId> cname=<name>\x00<fileId>
//	          and, with an external id, cxk=P#<project>#X#<externalFileId>
//	          while reconcile must look at it (SCANNING files too): rpk=R#<shard> rat=<epoch ms> (reconcile_index.go)
//	counter:  pk=P#<project> sk=COUNT        files=<n> completed=<n> held=<n> bytes=<n> r<bucket>=<n> c<bucket>_<child>=<n> (counters.go, positions.go)
//	limits:   pk=LIMIT#<org> sk=ORG | P#<project> (limits_store.go; the operator's)
//	rate-limit bucket: pk=RATE#<org>[#<project>]#<category> sk=BUCKET (ratebuckets.go)
//	position: pk=P#<project> sk=POS#<s>#<bucket> n<child>=<n> (positions.go)
//	idempotency record: pk=I#<scope> sk=K#<key> (idempotency_store.go)
//	api key:  pk=K#<sha256>  sk=KEY (keys_store.go)
//	token ledger: pk=T#<tokenId> sk=TOKEN (tokens_store.go)
//	job:      pk=JOB#<job> sk=CURSOR | LEASE (lifecycle.go)
//	webhook endpoint, delivery: pk=W#<project>, D#<endpointId>#<n> (webhooks_store.go)
//
// File IDs are time-ordered, so the ByProjectNewest index (lpk, lsk; keys only)
// lists a project newest-first, and offset walks read keys, not whole items.
// The c* attributes feed the sparse indexes of COMPLETED files the compat API
// lists (see catalog_read.go and catalog_write.go).
package dynamostore

import (
	"fmt"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// IndexNewest is the keys-only GSI that lists a project newest-first.
const IndexNewest = "ByProjectNewest"

const (
	counterSK = "COUNT"
	keySK     = "KEY"
)

func projectPK(projectID string) string { return "P#" + projectID }
func fileSK(id files.FileID) string     { return "F#" + id.String() }

type fileItem struct {
	PK               string         `dynamo:"pk,hash"`
	SK               string         `dynamo:"sk,range"`
	LPK              string         `dynamo:"lpk"`
	LSK              string         `dynamo:"lsk"`
	ID               string         `dynamo:"id"`
	ProjectID        string         `dynamo:"projectId"`
	OrganizationID   string         `dynamo:"organizationId,omitempty"`
	Filename         string         `dynamo:"filename"`
	MimeType         string         `dynamo:"mimeType"`
	SizeBytes        int64          `dynamo:"sizeBytes"`
	Purpose          string         `dynamo:"purpose,omitempty"`
	Status           string         `dynamo:"status"`
	CreatedAt        time.Time      `dynamo:"createdAt"`
	UpdatedAt        time.Time      `dynamo:"updatedAt"`
	CompletedAt      *time.Time     `dynamo:"completedAt,omitempty"`
	UploadExpiresAt  time.Time      `dynamo:"uploadExpiresAt"`
	ExpiresAt        *time.Time     `dynamo:"expiresAt,omitempty"`
	ExternalFileID   string         `dynamo:"externalFileId,omitempty"`
	DataSourceID     string         `dynamo:"dataSourceId,omitempty"`
	PermissionInfo   map[string]any `dynamo:"permissionInfo,omitempty"`
	ResourceInfo     map[string]any `dynamo:"resourceInfo,omitempty"`
	ObjectKey        string         `dynamo:"objectKey"`
	ETag             string         `dynamo:"etag,omitempty"`
	MD5              string         `dynamo:"md5,omitempty"`
	SHA256           string         `dynamo:"sha256,omitempty"`
	Multipart        *multipartItem `dynamo:"multipart,omitempty"`
	AssemblingSince  int64          `dynamo:"assemblingSince,omitempty"` // epoch ms
	RPK              string         `dynamo:"rpk,omitempty"`             // reconcile's index (reconcile_index.go)
	RAt              int64          `dynamo:"rat,omitempty"`
	RejectionCode    string         `dynamo:"rejectionCode,omitempty"`
	RejectionMessage string         `dynamo:"rejectionMessage,omitempty"`
	Scan             *scanItem      `dynamo:"scan,omitempty"`
	TTL              int64          `dynamo:"ttl,omitempty"`
}

func toItem(f *files.File) fileItem {
	it := fileItem{
		PK: projectPK(f.ProjectID), SK: fileSK(f.ID), LPK: projectPK(f.ProjectID), LSK: f.ID.String(),
		ID: f.ID.String(), ProjectID: f.ProjectID, OrganizationID: f.OrganizationID,
		Filename: f.Filename, MimeType: f.MimeType, SizeBytes: f.SizeBytes, Purpose: f.Purpose,
		Status: string(f.Status), CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt, CompletedAt: f.CompletedAt,
		UploadExpiresAt: f.UploadExpiresAt, ExpiresAt: f.ExpiresAt,
		ExternalFileID: f.ExternalFileID, DataSourceID: f.DataSourceID,
		PermissionInfo: f.PermissionInfo, ResourceInfo: f.ResourceInfo,
		ObjectKey: f.ObjectKey, ETag: f.ETag, MD5: f.MD5, SHA256: f.SHA256, TTL: f.TTL,
	}
	if m := f.Multipart; m != nil {
		it.Multipart = &multipartItem{UploadID: m.UploadID, PartSizeBytes: m.PartSizeBytes, PartSHA256: m.PartSHA256}
	}
	if f.Rejection != nil {
		it.RejectionCode, it.RejectionMessage = f.Rejection.Code, f.Rejection.Message
	}
	if f.AssemblingSince != nil {
		it.AssemblingSince = f.AssemblingSince.UnixMilli()
	}
	if !f.ReconcileAt.IsZero() {
		it.RPK, it.RAt = reconcilePK(f.ID), f.ReconcileAt.UnixMilli()
	}
	it.Scan = toScanItem(f.Scan)
	return it
}

// toFile reads the record an item holds; an id not in the stored spelling
// is an error (storage holds nothing else), never a record without one.
func (it *fileItem) toFile() (*files.File, error) {
	id, ok := files.StoredFileID(it.ID)
	if !ok {
		return nil, fmt.Errorf("dynamostore: item %q holds the unreadable file id %q", it.SK, it.ID)
	}
	f := &files.File{
		ID: id, ProjectID: it.ProjectID, OrganizationID: it.OrganizationID,
		Declared: files.Declared{Filename: it.Filename, MimeType: it.MimeType, SizeBytes: it.SizeBytes, Purpose: it.Purpose, SHA256: it.SHA256},
		Status:   files.Status(it.Status), CreatedAt: it.CreatedAt.UTC(), UpdatedAt: it.UpdatedAt.UTC(),
		CompletedAt: utc(it.CompletedAt), UploadExpiresAt: it.UploadExpiresAt.UTC(), ExpiresAt: utc(it.ExpiresAt),
		ExternalFileID: it.ExternalFileID, DataSourceID: it.DataSourceID,
		PermissionInfo: it.PermissionInfo, ResourceInfo: it.ResourceInfo,
		ObjectKey: it.ObjectKey, ETag: it.ETag, MD5: it.MD5, TTL: it.TTL,
	}
	if m := it.Multipart; m != nil {
		f.Multipart = &files.Multipart{UploadID: m.UploadID, PartSizeBytes: m.PartSizeBytes, PartSHA256: m.PartSHA256}
	}
	if it.RejectionCode != "" {
		f.Rejection = &files.Rejection{Code: it.RejectionCode, Message: it.RejectionMessage}
	}
	if it.AssemblingSince != 0 {
		t := time.UnixMilli(it.AssemblingSince).UTC()
		f.AssemblingSince = &t
	}
	if it.RPK != "" {
		f.ReconcileAt = time.UnixMilli(it.RAt).UTC()
	}
	f.Scan = it.Scan.toState()
	return f, nil
}

// multipartItem is a multipart session, one map attribute of its record.
type multipartItem struct {
	UploadID      string `dynamo:"uploadId"`
	PartSizeBytes int64  `dynamo:"partSizeBytes"`
	PartSHA256    bool   `dynamo:"partSha256,omitempty"`
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
