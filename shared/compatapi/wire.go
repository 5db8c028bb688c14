package compatapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// fileJSON is LlamaCloud's File. ExpiresAt is the end of retention (the
// native API's expiresAt is the upload session's end); absent values are null.
type fileJSON struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	ProjectID      string         `json:"project_id"`
	CreatedAt      timestamp      `json:"created_at"`
	UpdatedAt      timestamp      `json:"updated_at"`
	DataSourceID   *string        `json:"data_source_id"`
	ExpiresAt      *timestamp     `json:"expires_at"`
	ExternalFileID *string        `json:"external_file_id"`
	FileSize       int64          `json:"file_size"`
	FileType       *string        `json:"file_type"`
	LastModifiedAt *timestamp     `json:"last_modified_at"`
	PermissionInfo map[string]any `json:"permission_info"`
	ResourceInfo   map[string]any `json:"resource_info"`
	Purpose        *string        `json:"purpose"`
	DownloadURL    *presignedJSON `json:"download_url,omitempty"` // only with expand=download_url
}

// presignedJSON is LlamaCloud's PresignedURL; form_fields is for presigned
// POSTs, which Filegate does not issue.
type presignedJSON struct {
	URL        string            `json:"url"`
	ExpiresAt  timestamp         `json:"expires_at"`
	FormFields map[string]string `json:"form_fields"`
}

type pageJSON struct {
	Items         []fileJSON `json:"items"`
	NextPageToken *string    `json:"next_page_token"`
	TotalSize     int        `json:"total_size"`
}

// timestamp renders ISO 8601 UTC with milliseconds, as the native API does,
// so both APIs show a file's times identically.
type timestamp time.Time

func (t timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

func ts(t *time.Time) *timestamp {
	if t == nil {
		return nil
	}
	v := timestamp(*t)
	return &v
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
		ID: f.ID, Name: f.Filename, ProjectID: f.ProjectID,
		CreatedAt: timestamp(f.CreatedAt), UpdatedAt: timestamp(f.UpdatedAt),
		DataSourceID: optional(f.DataSourceID), ExpiresAt: ts(f.ExpiresAt), ExternalFileID: optional(f.ExternalFileID),
		FileSize: f.SizeBytes, FileType: optional(files.FileType(f.Filename)), LastModifiedAt: ts(modified),
		PermissionInfo: f.PermissionInfo, ResourceInfo: f.ResourceInfo, Purpose: optional(f.Purpose),
	}
}

func toPresigned(p files.Presigned) *presignedJSON {
	return &presignedJSON{URL: p.URL, ExpiresAt: timestamp(p.ExpiresAt)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // keep presigned URLs readable: "&", not "\u0026"
	_ = enc.Encode(v)        // the client is gone if this fails
}
