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
	// MaxSinglePutBytes is S3's limit for one PUT, and so for a single-PUT
	// session; larger files need a multipart one.
	MaxSinglePutBytes = 5 << 30
)

// The formats LlamaParse documents as parseable (its "Supported Document
// Types" page: documents, presentations, spreadsheets, images, audio), by
// family, plus the plain-text formats every parser reads.
var (
	pdf       = []string{"application/pdf"}
	documents = []string{
		"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.ms-word.document.macroenabled.12", "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
		"application/vnd.ms-word.template.macroenabled.12", "application/rtf", "application/vnd.oasis.opendocument.text",
		"application/vnd.oasis.opendocument.text-template", "application/vnd.apple.pages", "application/vnd.wordperfect",
		"application/vnd.ms-works", "application/vnd.sun.xml.writer", "application/epub+zip",
	}
	presentations = []string{
		"application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		"application/vnd.ms-powerpoint.presentation.macroenabled.12", "application/vnd.openxmlformats-officedocument.presentationml.template",
		"application/vnd.ms-powerpoint.template.macroenabled.12", "application/vnd.oasis.opendocument.presentation",
		"application/vnd.oasis.opendocument.presentation-template", "application/vnd.apple.keynote", "application/vnd.sun.xml.impress",
	}
	sheets = []string{
		"text/csv", "text/tab-separated-values", "application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel.sheet.macroenabled.12",
		"application/vnd.ms-excel.sheet.binary.macroenabled.12", "application/vnd.oasis.opendocument.spreadsheet",
		"application/vnd.oasis.opendocument.spreadsheet-template", "application/vnd.apple.numbers", "application/x-dbf",
	}
	images = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff", "image/bmp", "image/heic", "image/heif", "image/svg+xml"}
	audio  = []string{"audio/mpeg", "audio/mp4", "audio/wav", "audio/webm", "video/mp4", "video/webm", "video/mpeg"}
	text   = []string{"text/plain", "text/markdown", "text/html", "application/json", "application/xml", "text/xml"}
	// captions are transcripts' own formats.
	captions = []string{"text/vtt", "application/x-subrip"}
)

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// DefaultPurposes is the union of both APIs' purposes. Every purpose that
// hands files to a parser takes what LlamaParse reads; data purposes take
// anything.
func DefaultPurposes() map[string]Purpose {
	parsed := join(pdf, documents, presentations, sheets, images, audio, text)
	return map[string]Purpose{
		"meeting_transcript":  {MimeTypes: join(text, captions, pdf, documents, presentations), MaxBytes: 50 * mib},
		"knowledge_user":      {MimeTypes: parsed, MaxBytes: DefaultMaxBytes},
		"knowledge_workspace": {MimeTypes: parsed, MaxBytes: DefaultMaxBytes},
		"email_attachment":    {MaxBytes: 50 * mib},
		"user_data":           {MaxBytes: DefaultMaxBytes},
		"parse":               {MimeTypes: parsed, MaxBytes: DefaultMaxBytes},
		"extract":             {MimeTypes: parsed, MaxBytes: DefaultMaxBytes},
		"split":               {MimeTypes: parsed, MaxBytes: DefaultMaxBytes},
		"classify":            {MimeTypes: parsed, MaxBytes: DefaultMaxBytes},
		"sheet":               {MimeTypes: parsed, MaxBytes: DefaultMaxBytes},
		"agent_app":           {MaxBytes: DefaultMaxBytes},
	}
}

// The size rule create and validation both apply (create names the bound
// in its error; validation rejects). The type rule is files/upload's.

// Bound is which limit a size passes first.
type Bound int

const (
	BoundNone    Bound = iota
	BoundMax           // the configured maximum for every file
	BoundPurpose       // the purpose's own, lower limit
)

// SizeBound checks size against the configured maximum, then the
// purpose's limit; limit is the lower of the two that apply.
func (c Config) SizeBound(purpose string, size int64) (Bound, int64) {
	limit := c.MaxBytes
	p, ok := c.Purposes[purpose]
	if ok {
		limit = min(limit, p.MaxBytes)
	}
	switch {
	case size > c.MaxBytes:
		return BoundMax, limit
	case ok && size > p.MaxBytes:
		return BoundPurpose, limit
	}
	return BoundNone, limit
}
