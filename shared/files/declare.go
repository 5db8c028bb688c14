package files

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// What a client declares about a file, and the rules that need no more than
// the declaration (the type rules that need the MIME sniffer's knowledge are
// files/upload's).

// Declared is what a client declares about a new file and its record
// keeps: CreateInput carries it in, and the new File takes it whole. A
// field the client sets at create and the record keeps goes here, with its
// rule in Normalize.
type Declared struct {
	Filename  string
	MimeType  string // normalised: the type the upload's PUT signs
	SizeBytes int64
	Purpose   string
	// SHA256 is the whole file's SHA-256 (lower-case hex) when it is known:
	// declared at create, which a single PUT's presigned URL makes storage
	// enforce, computed by the compat upload from the bytes it stored, or,
	// for a multipart file, the client's word (given at create or complete),
	// which storage never checks. "" = unknown. File.VerifiedSHA256 and
	// File.ClaimedSHA256 tell the two apart. Before Normalize it is hex or
	// base64, as the client sent it.
	SHA256 string
}

// Normalize applies the rules that need no more than the declaration (a
// name of at most maxName characters, a media type, a SHA-256) and puts
// the declaration in the form its record keeps. The rules that need the
// configuration or the MIME sniffer's knowledge are files/upload's.
func (d *Declared) Normalize(maxName int) error {
	if err := CheckNewFilename(d.Filename, maxName); err != nil {
		return err
	}
	mimeType, err := NormalizeMimeType(d.MimeType)
	if err != nil {
		return err
	}
	sum, err := ParseSHA256(d.SHA256)
	if err != nil {
		return err
	}
	d.MimeType, d.SHA256 = mimeType, sum
	return nil
}

// CreateInput is a new upload session as a client declares it.
type CreateInput struct {
	OrganizationID string
	ProjectID      string
	Declared
	// Multipart asks for a multipart session (nil: one PUT).
	Multipart *MultipartPlan
	// RetainUntil ends the file's retention (nil: the purpose's default, if any).
	RetainUntil *time.Time
	// Operation is set when the create runs under an Idempotency-Key.
	Operation *Operation
	// Admit, if set, may refuse the new file or account for it once its id
	// is known and before it is recorded: an upload token's budget. A keyed
	// create's retry admits the same id again, so Admit must be idempotent
	// per id.
	Admit func(ctx context.Context, f *File) error
}

// Created is a new PENDING file and the PUT that uploads its bytes.
type Created struct {
	File   *File
	Upload Presigned
}

// ObjectKey is where a file's bytes live. It never contains the user's
// filename, and process-upload recovers project and file from it.
func ObjectKey(projectID string, id FileID) string {
	return "uploads/" + projectID + "/" + id.String()
}

// ParseObjectKey inverts ObjectKey; ok is false for keys Filegate never issues.
func ParseObjectKey(key string) (projectID string, id FileID, ok bool) {
	rest, found := strings.CutPrefix(key, "uploads/")
	if !found {
		return "", FileID{}, false
	}
	projectID, stored, found := strings.Cut(rest, "/")
	if id, ok = StoredFileID(stored); !found || projectID == "" || !ok {
		return "", FileID{}, false
	}
	return projectID, id, true
}

// MaxRetention bounds explicit retention: far enough for any real use, near
// enough to catch unit mistakes (milliseconds sent as seconds).
const MaxRetention = 10 * 365 * 24 * time.Hour

// Filename lengths, in characters: what each provider documents for the
// name its clients give a file.
const (
	// MaxFilenameChars bounds an upload session's filename (Lightfield's
	// filename: maxLength 255).
	MaxFilenameChars = 255
	// MaxDirectNameChars bounds a direct upload's name (LlamaCloud's
	// File.name: maxLength 3000). Downloads save it shortened (DownloadName).
	MaxDirectNameChars = 3000
)

// CheckFilename enforces 1 to max characters of printable UTF-8.
func CheckFilename(name string, max int) error {
	if !utf8.ValidString(name) {
		return Errorf(KindInvalid, "invalid_filename", "%s must be valid UTF-8", FieldFilename).On(FieldFilename)
	}
	if n := utf8.RuneCountInString(name); n < 1 || n > max {
		return Errorf(KindInvalid, "invalid_filename", "%s must be 1 to %d characters", FieldFilename, max).On(FieldFilename)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return Errorf(KindInvalid, "invalid_filename", "%s must not contain control characters", FieldFilename).On(FieldFilename)
		}
	}
	return nil
}

// CheckNewFilename is what create asks of a filename: CheckFilename's rules,
// and no format characters (bidi controls, zero-width characters, byte-order
// marks), line or paragraph separators or noncharacters, which make a name
// read otherwise than it is saved (DownloadName). Stored names are only held
// to CheckFilename: records made before this rule keep working.
func CheckNewFilename(name string, max int) error {
	if err := CheckFilename(name, max); err != nil {
		return err
	}
	for _, r := range name {
		if invisible(r) {
			return Errorf(KindInvalid, "invalid_filename", "%s must not contain invisible formatting characters (%U): bidirectional controls, zero-width characters, byte-order marks and line separators make a name look otherwise than it is saved", FieldFilename, r).On(FieldFilename)
		}
	}
	return nil
}

// NormalizeMimeType returns the lower-case type/subtype without parameters:
// the exact value the presigned PUT signs as Content-Type. Both parts must be
// RFC 6838 restricted names (at most 127 characters each), so every accepted
// type fits the signed header S3 will check.
func NormalizeMimeType(v string) (string, error) {
	mt, _, err := mime.ParseMediaType(v)
	typ, sub, ok := strings.Cut(mt, "/")
	if err != nil || !ok || !restrictedName(typ) || !restrictedName(sub) {
		return "", Errorf(KindInvalid, "invalid_mime_type", "%s must be a media type such as application/pdf: type and subtype of 1 to %d letters, digits or !#$&-^_.+, starting with a letter or digit (RFC 6838)", FieldMimeType, maxMimeNameLen).On(FieldMimeType)
	}
	return mt, nil
}

// maxMimeNameLen is RFC 6838's bound on each part of a media type.
const maxMimeNameLen = 127

// restrictedName is RFC 6838 §4.2's restricted-name.
func restrictedName(s string) bool {
	if s == "" || len(s) > maxMimeNameLen || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlnum(s[i]) && !strings.ContainsRune("!#$&-^_.+", rune(s[i])) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ParseSHA256 reads a declared SHA-256, 64 hexadecimal characters or the
// base64 of its 32 bytes (what S3's x-amz-checksum-sha256 carries), as
// lower-case hex; "" stays "".
func ParseSHA256(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if b, err := hex.DecodeString(v); err == nil && len(b) == 32 {
		return hex.EncodeToString(b), nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && len(b) == 32 {
			return hex.EncodeToString(b), nil
		}
	}
	return "", Errorf(KindInvalid, "invalid_sha256", "%s must be the SHA-256 of the file: 64 hexadecimal characters, or its 32 bytes in base64", FieldSHA256).On(FieldSHA256)
}

// SHA256Base64 is hex (a File's SHA256) as S3's checksum headers carry it.
func SHA256Base64(hexSum string) string {
	b, _ := hex.DecodeString(hexSum)
	return base64.StdEncoding.EncodeToString(b)
}
