package files

import "strings"

// typesByExtension maps the extensions of the types the purposes name (the
// formats LlamaParse documents, plus text and caption formats) to their MIME
// type. It is a fixed table, not mime.TypeByExtension: that reads the host's
// mime.types, which differs between machines and which Lambda's minimal image
// does not have.
var typesByExtension = map[string]string{
	// documents
	"pdf":   "application/pdf",
	"doc":   "application/msword",
	"dot":   "application/msword",
	"docx":  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"docm":  "application/vnd.ms-word.document.macroenabled.12",
	"dotx":  "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
	"dotm":  "application/vnd.ms-word.template.macroenabled.12",
	"rtf":   "application/rtf",
	"odt":   "application/vnd.oasis.opendocument.text",
	"ott":   "application/vnd.oasis.opendocument.text-template",
	"pages": "application/vnd.apple.pages",
	"wpd":   "application/vnd.wordperfect",
	"wps":   "application/vnd.ms-works",
	"sxw":   "application/vnd.sun.xml.writer",
	"epub":  "application/epub+zip",
	// presentations
	"ppt":  "application/vnd.ms-powerpoint",
	"pot":  "application/vnd.ms-powerpoint",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"pptm": "application/vnd.ms-powerpoint.presentation.macroenabled.12",
	"potx": "application/vnd.openxmlformats-officedocument.presentationml.template",
	"potm": "application/vnd.ms-powerpoint.template.macroenabled.12",
	"odp":  "application/vnd.oasis.opendocument.presentation",
	"otp":  "application/vnd.oasis.opendocument.presentation-template",
	"key":  "application/vnd.apple.keynote",
	"sxi":  "application/vnd.sun.xml.impress",
	// spreadsheets
	"xls":     "application/vnd.ms-excel",
	"xlsx":    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"xlsm":    "application/vnd.ms-excel.sheet.macroenabled.12",
	"xlsb":    "application/vnd.ms-excel.sheet.binary.macroenabled.12",
	"csv":     "text/csv",
	"tsv":     "text/tab-separated-values",
	"ods":     "application/vnd.oasis.opendocument.spreadsheet",
	"ots":     "application/vnd.oasis.opendocument.spreadsheet-template",
	"numbers": "application/vnd.apple.numbers",
	"dbf":     "application/x-dbf",
	// images
	"png":  "image/png",
	"jpg":  "image/jpeg",
	"jpeg": "image/jpeg",
	"gif":  "image/gif",
	"webp": "image/webp",
	"tif":  "image/tiff",
	"tiff": "image/tiff",
	"bmp":  "image/bmp",
	"heic": "image/heic",
	"heif": "image/heif",
	"svg":  "image/svg+xml",
	// audio (MP4 and WebM hold video too; audio/* and video/* both agree)
	"mp3":  "audio/mpeg",
	"mpga": "audio/mpeg",
	"m4a":  "audio/mp4",
	"mp4":  "video/mp4",
	"wav":  "audio/wav",
	"webm": "video/webm",
	"mpeg": "video/mpeg",
	// web and text
	"html":     "text/html",
	"htm":      "text/html",
	"txt":      "text/plain",
	"md":       "text/markdown",
	"markdown": "text/markdown",
	"json":     "application/json",
	"xml":      "application/xml",
	"eml":      "message/rfc822",
	"vtt":      "text/vtt",
	"srt":      "application/x-subrip",
}

// containerOf names, for formats the sniffer does not know, the format it
// reads them as: macro-enabled and template Office files are Office Open XML
// packages, iWork and StarOffice files are ZIP archives, Works files are OLE
// compound files. The content check treats them as that format's children.
var containerOf = map[string]string{
	"application/vnd.ms-word.document.macroenabled.12":                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.template": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-word.template.macroenabled.12":                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-powerpoint.presentation.macroenabled.12":              "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.openxmlformats-officedocument.presentationml.template":   "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.ms-powerpoint.template.macroenabled.12":                  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.ms-excel.sheet.macroenabled.12":                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.ms-excel.sheet.binary.macroenabled.12":                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.apple.pages":                                             "application/zip",
	"application/vnd.apple.keynote":                                           "application/zip",
	"application/vnd.apple.numbers":                                           "application/zip",
	"application/vnd.sun.xml.writer":                                          "application/zip",
	"application/vnd.sun.xml.impress":                                         "application/zip",
	"application/vnd.ms-works":                                                "application/x-ole-storage",
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

// checkExtension refuses a declared type that contradicts the filename's
// known extension. They agree when they are the same type, one is a parent
// of the other (text/plain for a .csv, application/zip for a .docx), or the
// declared type is application/octet-stream (the client does not know).
func checkExtension(filename, declared string) error {
	byExt := TypeByExtension(filename)
	if byExt == "" || declared == rootType || related(declared, byExt) {
		return nil
	}
	return Errorf(KindInvalid, "type_extension_mismatch", "mimeType %s does not match the filename %q, whose extension means %s; declare %s (or application/octet-stream) or rename the file", declared, filename, byExt, byExt).WithParam("mimeType")
}
