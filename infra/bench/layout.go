package bench

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// The benchmark writes records itself (seeding 100,000 files, and the raw
// baselines' PutItem), so it needs the store's item layout
// (shared/dynamostore/item.go and catalog_write.go). The store does not
// export its encoder, so recordItem mirrors it field for field, and
// checkLayout proves the mirror against an item the real API wrote: decode
// it with the store's own FileFromItem, re-encode it here, and require the
// same attributes with the same values.

// itemMirror is dynamostore's fileItem, same attribute names and options.
type itemMirror struct {
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
	RejectionCode    string         `dynamo:"rejectionCode,omitempty"`
	RejectionMessage string         `dynamo:"rejectionMessage,omitempty"`
	TTL              int64          `dynamo:"ttl,omitempty"`
}

// recordItem is the item the store keeps for f, with the catalog attributes
// a COMPLETED file carries (catalog_write.go: cpk, cid, cname, cxk).
func recordItem(f *files.File) (map[string]types.AttributeValue, error) {
	pk := "P#" + f.ProjectID
	it := itemMirror{
		PK: pk, SK: "F#" + f.ID, LPK: pk, LSK: f.ID,
		ID: f.ID, ProjectID: f.ProjectID, OrganizationID: f.OrganizationID,
		Filename: f.Filename, MimeType: f.MimeType, SizeBytes: f.SizeBytes, Purpose: f.Purpose,
		Status: string(f.Status), CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt, CompletedAt: f.CompletedAt,
		UploadExpiresAt: f.UploadExpiresAt, ExpiresAt: f.ExpiresAt,
		ExternalFileID: f.ExternalFileID, DataSourceID: f.DataSourceID,
		PermissionInfo: f.PermissionInfo, ResourceInfo: f.ResourceInfo,
		ObjectKey: f.ObjectKey, ETag: f.ETag, MD5: f.MD5, TTL: f.TTL,
	}
	if f.Rejection != nil {
		it.RejectionCode, it.RejectionMessage = f.Rejection.Code, f.Rejection.Message
	}
	item, err := dynamo.MarshalItem(it)
	if err != nil {
		return nil, err
	}
	if f.Status == files.StatusCompleted {
		item["cpk"] = str(pk)
		item["cid"] = str(f.ID)
		item["cname"] = str(nameKey(f.Filename) + "\x00" + f.ID)
		if f.ExternalFileID != "" {
			item["cxk"] = str(pk + "#X#" + f.ExternalFileID)
		}
	}
	return item, nil
}

// nameKey is catalog_write.go's: names past 900 bytes are cut at a rune start.
func nameKey(name string) string {
	const max = 900
	if len(name) <= max {
		return name
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// checkLayout fails unless recordItem reproduces real, an item the store
// wrote, exactly (every attribute, every value).
func checkLayout(real map[string]types.AttributeValue) error {
	f, ok := dynamostore.FileFromItem(real)
	if !ok {
		return fmt.Errorf("the store's FileFromItem does not read its own item")
	}
	mine, err := recordItem(f)
	if err != nil {
		return err
	}
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(real)) {
		if !reflect.DeepEqual(normalise(real[k]), normalise(mine[k])) {
			diffs = append(diffs, fmt.Sprintf("%s: store %s, bench %s", k, render(real[k]), render(mine[k])))
		}
	}
	for k := range mine {
		if _, ok := real[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: only the bench writes it (%s)", k, render(mine[k])))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("the benchmark's copy of the item layout drifted from shared/dynamostore:\n  %s", strings.Join(diffs, "\n  "))
	}
	return nil
}

// normalise makes equal attribute values compare equal (DeepEqual would
// see the SDK's internal no-copy markers): S is a string, N a float64.
func normalise(v types.AttributeValue) any {
	if v == nil {
		return nil
	}
	var m map[string]any
	if err := dynamo.UnmarshalItem(map[string]types.AttributeValue{"v": v}, &m); err != nil {
		return v
	}
	return m["v"]
}

func render(v types.AttributeValue) string {
	if v == nil {
		return "(absent)"
	}
	return fmt.Sprintf("%v", normalise(v))
}
