package files

// Field is an input the domain's rules judge. The domain names it in its
// own vocabulary (the record's fields, docs/ARCHITECTURE.md "The table");
// each API dialect names it as its clients spell it (the compat API's
// file_size is the native API's sizeBytes), in an error's param and message
// alike.
type Field int

const (
	FieldNone Field = iota
	FieldFilename
	FieldMimeType
	FieldSizeBytes
	FieldPurpose
	FieldMD5
	FieldSHA256
	FieldRetention
	FieldExternalFileID
	FieldPartSize     // a multipart session's part size
	FieldPartChecksum // a multipart session's part checksum algorithm
	FieldParts        // the parts a request for part URLs lists
	FieldPartNumber   // one listed part's number (Error.Item says which)
	FieldPartSHA256   // one listed part's SHA-256 (Error.Item says which)
)

// String is the field's name in the domain's vocabulary.
func (f Field) String() string {
	switch f {
	case FieldFilename:
		return "filename"
	case FieldMimeType:
		return "mimeType"
	case FieldSizeBytes:
		return "sizeBytes"
	case FieldPurpose:
		return "purpose"
	case FieldMD5:
		return "md5"
	case FieldSHA256:
		return "sha256"
	case FieldRetention:
		return "retentionExpiresAt"
	case FieldExternalFileID:
		return "externalFileId"
	case FieldPartSize:
		return "partSizeBytes"
	case FieldPartChecksum:
		return "partChecksum"
	case FieldParts:
		return "parts"
	case FieldPartNumber:
		return "partNumber"
	case FieldPartSHA256:
		return "partSha256"
	}
	return ""
}
