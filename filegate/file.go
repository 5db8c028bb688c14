package filegate

// The native API's records as the wire carries them. A field the API adds
// to a file goes here, in File (what it answers) and, where a client sets
// it, CreateRequest (what it asks for).

// File is the native File, with the upload session's URL and headers when
// it was just created.
type File struct {
	ID                 string            `json:"id"`
	Status             string            `json:"status"` // PENDING, COMPLETED, REJECTED, CANCELLED or EXPIRED
	Filename           string            `json:"filename"`
	MimeType           string            `json:"mimeType"`
	SizeBytes          int64             `json:"sizeBytes"`
	Purpose            *string           `json:"purpose"`
	CreatedAt          string            `json:"createdAt"`
	CompletedAt        *string           `json:"completedAt"`
	ExpiresAt          *string           `json:"expiresAt"`
	RetentionExpiresAt *string           `json:"retentionExpiresAt"`
	Rejection          *Rejection        `json:"rejection"`
	SHA256             string            `json:"sha256"`
	ClaimedSHA256      string            `json:"claimedSha256"`
	Multipart          *Multipart        `json:"multipart"`
	Scan               *Scan             `json:"scan"`
	UploadURL          string            `json:"uploadUrl"`
	UploadHeaders      map[string]string `json:"uploadHeaders"`
}

// Scan is a file's malware scan, once its bytes passed validation (where
// the deployment scans): "pending" while the file waits for a verdict (it
// reads PENDING), then "clean", "infected" or "unsupported".
type Scan struct {
	Status string `json:"status"`
}

// Rejection is why a REJECTED file failed validation.
type Rejection struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Multipart is a multipart session's plan, as a File shows it.
type Multipart struct {
	PartSizeBytes int64   `json:"partSizeBytes"`
	PartCount     int     `json:"partCount"`
	PartChecksum  *string `json:"partChecksum"`
}

// Page is one page of the newest-first listing.
type Page struct {
	Data       []File `json:"data"`
	TotalCount int    `json:"totalCount"`
}

// CreateRequest is POST /v1/files's body.
type CreateRequest struct {
	Filename  string `json:"filename"`
	MimeType  string `json:"mimeType"`
	SizeBytes int64  `json:"sizeBytes"`
	Purpose   string `json:"purpose,omitempty"`
	SHA256    string `json:"sha256,omitempty"` // hex; storage refuses other bytes
	// Multipart asks for a multipart session.
	Multipart *MultipartRequest `json:"multipart,omitempty"`
}

// MultipartRequest is the plan a multipart create asks for.
type MultipartRequest struct {
	PartSizeBytes int64  `json:"partSizeBytes"`
	PartChecksum  string `json:"partChecksum,omitempty"` // "SHA256" or ""
}
