package upload

import (
	"fmt"
	"strings"

	"github.com/gabriel-vasile/mimetype"

	"github.com/filegate/filegate/shared/files"
)

// Media types as the sniffer's tree relates them, and the extensions of the
// types the purposes name.

// sniffable reports whether the sniffer can recognise t or its container.
func sniffable(t string) bool {
	t = strings.ToLower(t)
	return mimetype.Lookup(t) != nil || containerOf[t] != "" || strings.HasPrefix(t, "text/")
}

const rootType = "application/octet-stream"

// sameFormat maps names the sniffer treats as different types to the one
// format they name (an MPEG-4 audio file is audio/mp4 whatever its brand).
var sameFormat = map[string]string{
	"audio/x-m4a": "audio/mp4",
	"audio/m4a":   "audio/mp4",
}

// lineage is t's canonical name followed by its ancestors, most specific
// first, without the root (application/octet-stream, which is everything's
// ancestor): from the sniffer's tree, else from containerOf for formats the
// sniffer does not know, else text/plain for any text/* type. The root itself
// has the lineage [application/octet-stream].
func lineage(t string) []string {
	t = strings.ToLower(t)
	if c, ok := sameFormat[t]; ok {
		t = c
	}
	if m := mimetype.Lookup(t); m != nil {
		out := []string{essence(m.String())}
		for p := m.Parent(); p != nil && !p.Is(rootType); p = p.Parent() {
			out = append(out, essence(p.String()))
		}
		return out
	}
	if c, ok := containerOf[t]; ok {
		return append([]string{t}, lineage(c)...)
	}
	if strings.HasPrefix(t, "text/") {
		return []string{t, "text/plain"}
	}
	return []string{t}
}

// related reports whether a and b are the same type or one descends from the other.
func related(a, b string) bool {
	la, lb := lineage(a), lineage(b)
	return la[0] == lb[0] || contains(la[1:], lb[0]) || contains(lb[1:], la[0])
}

// isText reports whether t is a text type (text/plain is in its lineage).
func isText(t string) bool { return contains(lineage(t), "text/plain") }

// essence drops parameters: "text/plain; charset=utf-8" is text/plain.
func essence(t string) string {
	e, _, _ := strings.Cut(t, ";")
	return strings.TrimSpace(e)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

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
	// documents a browser or the OS opens as a web page, a script or a
	// stylesheet that runs one: known, so none passes under another type
	"xhtml": "application/xhtml+xml",
	"xht":   "application/xhtml+xml",
	"shtml": "text/html",
	"svgz":  "image/svg+xml",
	"js":    "text/javascript",
	"mjs":   "text/javascript",
	"xsl":   "application/xslt+xml",
	"xslt":  "application/xslt+xml",
	"hta":   "application/hta",
	"mht":   "multipart/related",
	"mhtml": "multipart/related",
	// what Windows runs when the file is opened: programs, installers,
	// shortcuts and scripts. Known, so none passes under an unrelated type
	// ("invoice.pdf.exe" as a PDF); the sniffer knows the binary ones.
	"exe": "application/vnd.microsoft.portable-executable",
	"scr": "application/vnd.microsoft.portable-executable",
	"com": "application/vnd.microsoft.portable-executable",
	"cpl": "application/vnd.microsoft.portable-executable",
	"dll": "application/vnd.microsoft.portable-executable",
	"msi": "application/x-ms-installer",
	"lnk": "application/x-ms-shortcut",
	"jar": "application/java-archive",
	"bat": "application/x-bat",
	"cmd": "application/x-bat",
	"ps1": "application/x-powershell",
	"vbs": "text/vbscript",
	"vbe": "text/vbscript",
	"jse": "text/javascript",
	"wsf": "application/x-wsh",
	"wsh": "application/x-wsh",
	"reg": "text/x-ms-regedit",
	"url": "application/x-url",
}

// containerOf names, for formats the sniffer does not know, the format it
// reads them as: macro-enabled and template Office files are Office Open XML
// packages, iWork and StarOffice files are ZIP archives, Works files are OLE
// compound files, XSLT is XML, an HTML application is HTML and MHTML is a
// MIME message. The content check treats them as that format's children.
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
	"application/xslt+xml":                                                    "text/xml",
	"application/hta":                                                         "text/html",
	"multipart/related":                                                       "message/rfc822",
	// scripts are text (a Windows Script File is XML)
	"application/x-bat":        "text/plain",
	"application/x-powershell": "text/plain",
	"text/vbscript":            "text/plain",
	"text/x-ms-regedit":        "text/plain",
	"application/x-url":        "text/plain",
	"application/x-wsh":        "text/xml",
}

// TypeByExtension is the MIME type the extension of name's saved form
// (files.DownloadName) stands for, or "".
func TypeByExtension(name string) string {
	return typesByExtension[files.FileType(name)]
}

// checkExtension refuses a declared type that contradicts the known
// extension of the name the download will be saved under (files.FileType):
// "invoice.html." is judged as "invoice.html". They agree when they are the
// same type, one is a parent of the other (text/plain for a .csv,
// application/zip for a .docx), or the declared type is
// application/octet-stream (the client does not know).
func checkExtension(filename, declared string) error {
	byExt := TypeByExtension(filename)
	if byExt == "" || declared == rootType || related(declared, byExt) {
		return nil
	}
	named := fmt.Sprintf("%q", filename)
	if saved := files.DownloadName(filename); saved != filename {
		named += fmt.Sprintf(" (saved as %q)", saved)
	}
	return files.Errorf(files.KindInvalid, "type_extension_mismatch", "%s %s does not match %s %s, whose extension means %s; declare %s (or application/octet-stream) or rename the file", files.FieldMimeType, declared, files.FieldFilename, named, byExt, byExt).On(files.FieldMimeType)
}
