package compatapi

import (
	"encoding/json"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/jsonwire"
)

// fileJSON is LlamaCloud's File. ID is the UUID spelling of the file's ID
// (LlamaCloud documents UUIDs; the native API shows the fil_ spelling).
// ExpiresAt is the end of retention (the native API's expiresAt is the upload
// session's end); absent values are null.
type fileJSON struct {
	ID             string              `json:"id"`
	Name           string              `json:"name"`
	ProjectID      string              `json:"project_id"`
	CreatedAt      jsonwire.Timestamp  `json:"created_at"`
	UpdatedAt      jsonwire.Timestamp  `json:"updated_at"`
	DataSourceID   *string             `json:"data_source_id"`
	ExpiresAt      *jsonwire.Timestamp `json:"expires_at"`
	ExternalFileID *string             `json:"external_file_id"`
	FileSize       int64               `json:"file_size"`
	FileType       *string             `json:"file_type"`
	LastModifiedAt *jsonwire.Timestamp `json:"last_modified_at"`
	PermissionInfo map[string]any      `json:"permission_info"`
	ResourceInfo   map[string]any      `json:"resource_info"`
	Purpose        *string             `json:"purpose"`
	DownloadURL    *presignedJSON      `json:"download_url,omitempty"` // only with expand=download_url
}

// presignedJSON is LlamaCloud's PresignedURL; form_fields is for presigned
// POSTs, which Filegate does not issue.
type presignedJSON struct {
	URL        string             `json:"url"`
	ExpiresAt  jsonwire.Timestamp `json:"expires_at"`
	FormFields map[string]string  `json:"form_fields"`
}

type pageJSON struct {
	Items         []json.RawMessage `json:"items"` // each a fileJSON, rendered to count its size`
	NextPageToken *string           `json:"next_page_token"`
	TotalSize     int               `json:"total_size"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// toJSON renders f; its bytes were last written when it completed.
func toJSON(f *files.File) fileJSON {
	modified := f.CompletedAt
	if modified == nil {
		modified = &f.UpdatedAt
	}
	return fileJSON{
		ID: f.ID.UUID(), Name: f.Filename, ProjectID: f.ProjectID,
		CreatedAt: jsonwire.Timestamp(f.CreatedAt), UpdatedAt: jsonwire.Timestamp(f.UpdatedAt),
		DataSourceID: optional(f.DataSourceID), ExpiresAt: jsonwire.Optional(f.ExpiresAt), ExternalFileID: optional(f.ExternalFileID),
		FileSize: f.SizeBytes, FileType: optional(files.FileType(f.Filename)), LastModifiedAt: jsonwire.Optional(modified),
		PermissionInfo: f.PermissionInfo, ResourceInfo: f.ResourceInfo, Purpose: optional(f.Purpose),
	}
}

func toPresigned(p files.Presigned) *presignedJSON {
	return &presignedJSON{URL: p.URL, ExpiresAt: jsonwire.Timestamp(p.ExpiresAt)}
}
