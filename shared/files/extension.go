package files

import "strings"

// typesByExtension maps the extensions of the types the purposes name to
// their MIME type. It is a fixed table, not mime.TypeByExtension: that reads
// the host's mime.types, which Lambda's minimal image does not have.
var typesByExtension = map[string]string{
	"pdf":      "application/pdf",
	"doc":      "application/msword",
	"docx":     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"ppt":      "application/vnd.ms-powerpoint",
	"pptx":     "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"rtf":      "application/rtf",
	"odt":      "application/vnd.oasis.opendocument.text",
	"csv":      "text/csv",
	"tsv":      "text/tab-separated-values",
	"xls":      "application/vnd.ms-excel",
	"xlsx":     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"ods":      "application/vnd.oasis.opendocument.spreadsheet",
	"txt":      "text/plain",
	"md":       "text/markdown",
	"markdown": "text/markdown",
	"html":     "text/html",
	"htm":      "text/html",
	"json":     "application/json",
	"xml":      "application/xml",
	"png":      "image/png",
	"jpg":      "image/jpeg",
	"jpeg":     "image/jpeg",
	"gif":      "image/gif",
	"webp":     "image/webp",
	"tif":      "image/tiff",
	"tiff":     "image/tiff",
	"bmp":      "image/bmp",
	"vtt":      "text/vtt",
	"srt":      "application/x-subrip",
}

// FileType is the lower-case extension of name without the dot ("pdf"), or
// "" when the last path segment has none (a leading dot starts a name, not
// an extension: ".env" has no type).
func FileType(name string) string {
	base := name[strings.LastIndex(name, "/")+1:]
	i := strings.LastIndexByte(base, '.')
	if i <= 0 || i == len(base)-1 {
		return ""
	}
	return strings.ToLower(base[i+1:])
}

// TypeByExtension is the MIME type name's extension stands for, or "".
func TypeByExtension(name string) string {
	return typesByExtension[FileType(name)]
}
