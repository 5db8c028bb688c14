package files

import "time"

// Purpose rules: which declared MIME types a purpose accepts and how large its
// files may be. A nil MimeTypes list accepts any type.
type Purpose struct {
	MimeTypes []string
	MaxBytes  int64
	Retention time.Duration // default retention of its files; 0 = kept
}

const (
	mib = int64(1) << 20
	// DefaultMaxBytes caps files without a purpose (and every purpose).
	DefaultMaxBytes = 512 * mib
)

var (
	pdf      = []string{"application/pdf"}
	office   = []string{"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/rtf", "application/vnd.oasis.opendocument.text"}
	sheets   = []string{"text/csv", "text/tab-separated-values", "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.oasis.opendocument.spreadsheet"}
	text     = []string{"text/plain", "text/markdown", "text/html", "application/json", "application/xml", "text/xml"}
	images   = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff", "image/bmp"}
	captions = []string{"text/vtt", "application/x-subrip"}
)

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// DefaultPurposes is the union of both APIs' purposes. Document purposes take
// what parsers read; data purposes take anything.
func DefaultPurposes() map[string]Purpose {
	documents := join(pdf, office, sheets, text, images)
	return map[string]Purpose{
		"meeting_transcript":  {MimeTypes: join(text, captions, pdf, office), MaxBytes: 50 * mib},
		"knowledge_user":      {MimeTypes: documents, MaxBytes: DefaultMaxBytes},
		"knowledge_workspace": {MimeTypes: documents, MaxBytes: DefaultMaxBytes},
		"email_attachment":    {MaxBytes: 50 * mib},
		"user_data":           {MaxBytes: DefaultMaxBytes},
		"parse":               {MimeTypes: documents, MaxBytes: DefaultMaxBytes},
		"extract":             {MimeTypes: documents, MaxBytes: DefaultMaxBytes},
		"split":               {MimeTypes: documents, MaxBytes: DefaultMaxBytes},
		"classify":            {MimeTypes: documents, MaxBytes: DefaultMaxBytes},
		"sheet":               {MimeTypes: sheets, MaxBytes: DefaultMaxBytes},
		"agent_app":           {MaxBytes: DefaultMaxBytes},
	}
}

// allows reports whether mimeType is on the purpose's list.
func (p Purpose) allows(mimeType string) bool {
	if p.MimeTypes == nil {
		return true
	}
	for _, m := range p.MimeTypes {
		if m == mimeType {
			return true
		}
	}
	return false
}
