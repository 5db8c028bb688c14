// Package samples builds small genuine files of every family the purposes
// accept (documents, presentations, spreadsheets, images, audio, e-books, web
// pages, text), for the tests that prove the content check never rejects a
// real file of an accepted type. Each is built here from its format's rules
// (or Go's own encoders), never read from disk, so the tests carry no binaries.
package samples

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
)

// Sample is one genuine file; its filename's extension names its type.
type Sample struct {
	Family   string // documents, presentations, spreadsheets, images, audio, ebooks, web, text
	Filename string
	Body     []byte
}

// All returns one sample per format, grouped by family.
func All() []Sample {
	return []Sample{
		{"documents", "report.pdf", PDF()},
		{"documents", "letter.docx", ooxml("word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>`)},
		{"documents", "macro.docm", ooxml("word", "application/vnd.ms-word.document.macroEnabled.main+xml", "document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>`)},
		{"documents", "letter.doc", compoundFile(clsidWord)},
		{"documents", "notes.rtf", []byte(`{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}\f0\fs24 Hello, world.\par}` + "\n")},
		{"documents", "story.odt", openDocument("application/vnd.oasis.opendocument.text", `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:body><office:text/></office:body></office:document-content>`)},
		{"documents", "plain.txt", []byte("Meeting notes\n\n- ship the thing\n- write the tests\n")},
		{"documents", "data.xml", []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<invoice><total currency=\"EUR\">12.50</total></invoice>\n")},
		{"presentations", "deck.pptx", ooxml("ppt", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "presentation.xml", `<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>`)},
		{"presentations", "deck.ppt", compoundFile(clsidPowerPoint)},
		{"presentations", "deck.odp", openDocument("application/vnd.oasis.opendocument.presentation", `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:body><office:presentation/></office:body></office:document-content>`)},
		{"spreadsheets", "sheet.xlsx", ooxml("xl", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>`)},
		{"spreadsheets", "sheet.xls", compoundFile(clsidExcel)},
		{"spreadsheets", "table.csv", []byte("name,qty,price\nwidget,3,2.50\ngadget,5,1.25\n")},
		{"spreadsheets", "table.tsv", []byte("name\tqty\tprice\nwidget\t3\t2.50\ngadget\t5\t1.25\n")},
		{"spreadsheets", "sheet.ods", openDocument("application/vnd.oasis.opendocument.spreadsheet", `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:body><office:spreadsheet/></office:body></office:document-content>`)},
		{"images", "photo.png", encode(func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })},
		{"images", "photo.jpg", encode(func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })},
		{"images", "anim.gif", encode(func(b *bytes.Buffer, m image.Image) error { return gif.Encode(b, m, nil) })},
		{"images", "scan.bmp", BMP()},
		{"images", "scan.tiff", TIFF()},
		{"images", "photo.webp", WebP()},
		{"images", "photo.heic", isoMedia("heic", "mif1heic")},
		{"images", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><rect width="2" height="2" fill="#08f"/></svg>` + "\n")},
		{"audio", "call.wav", WAV()},
		{"audio", "call.mp3", MP3()},
		{"audio", "call.m4a", isoMedia("M4A ", "M4A isomiso2")},
		{"audio", "call.mp4", isoMedia("isom", "isomiso2mp41")},
		{"audio", "call.webm", WebM()},
		{"ebooks", "book.epub", EPUB()},
		{"web", "page.html", []byte("<!DOCTYPE html>\n<html><head><title>Page</title></head><body><p>Hello</p></body></html>\n")},
		{"text", "readme.md", []byte("# Project\n\nSome *emphasis* and a [link](https://example.com).\n")},
		{"text", "badges.md", []byte("<p align=\"center\"><img src=\"logo.png\" width=\"80\"></p>\n\n# Project\n\nMarkdown may open with HTML.\n")},
		{"text", "data.json", []byte(`{"items": [{"id": 1, "name": "widget"}, {"id": 2, "name": "gadget"}]}` + "\n")},
		{"text", "captions.vtt", []byte("WEBVTT\n\n00:00.000 --> 00:02.000\n<v Alice>Hello <b>there</b>\n")},
		{"text", "captions.srt", []byte("1\n00:00:00,000 --> 00:00:02,000\nHello <i>there</i>\n")},
		{"text", "mail.eml", []byte("From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hello\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Hi Bob</p><script>track()</script></body></html>\r\n")},
	}
}

// PDF is a one-page PDF with a correct cross-reference table.
func PDF() []byte {
	objects := []string{
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
		"<</Length 44>>\nstream\nBT /F1 24 Tf 72 700 Td (Hello, PDF) Tj ET\nendstream",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// zipEntry is one member of a zip sample; stored members are not compressed.
type zipEntry struct {
	name, body string
	stored     bool
}

func zipOf(entries ...zipEntry) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, e := range entries {
		method := zip.Deflate
		if e.stored {
			method = zip.Store
		}
		f, err := w.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		if err != nil {
			panic(err)
		}
		f.Write([]byte(e.body))
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// ooxml is an Office Open XML package: [Content_Types].xml first, as Office writes it.
func ooxml(dir, mainType, part, body string) []byte {
	types := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/` + dir + `/` + part + `" ContentType="` + mainType + `"/></Types>`
	rels := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="` + dir + `/` + part + `"/></Relationships>`
	return zipOf(
		zipEntry{name: "[Content_Types].xml", body: types},
		zipEntry{name: "_rels/.rels", body: rels},
		zipEntry{name: dir + "/" + part, body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + body},
	)
}

// openDocument is an ODF package: an uncompressed mimetype member first.
func openDocument(mimeType, content string) []byte {
	manifest := `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">` +
		`<manifest:file-entry manifest:full-path="/" manifest:media-type="` + mimeType + `"/>` +
		`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`
	return zipOf(
		zipEntry{name: "mimetype", body: mimeType, stored: true},
		zipEntry{name: "content.xml", body: `<?xml version="1.0" encoding="UTF-8"?>` + content},
		zipEntry{name: "META-INF/manifest.xml", body: manifest},
	)
}

// EPUB is an EPUB 3 book: mimetype stored first, the rest deflated (OCF).
func EPUB() []byte {
	container := `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">` +
		`<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`
	opf := `<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">` +
		`<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:1</dc:identifier><dc:title>Book</dc:title><dc:language>en</dc:language></metadata>` +
		`<manifest><item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c1"/></spine></package>`
	chapter := `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>One</title></head><body><p>Chapter one.</p></body></html>`
	return zipOf(
		zipEntry{name: "mimetype", body: "application/epub+zip", stored: true},
		zipEntry{name: "META-INF/container.xml", body: container},
		zipEntry{name: "OEBPS/content.opf", body: opf},
		zipEntry{name: "OEBPS/chapter1.xhtml", body: chapter},
	)
}

// Root-storage CLSIDs of the legacy Office formats (little-endian GUIDs).
var (
	clsidWord       = []byte{0x06, 0x09, 0x02, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}                            // Word.Document.8
	clsidExcel      = []byte{0x20, 0x08, 0x02, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}                            // Excel.Sheet.8
	clsidPowerPoint = []byte{0x10, 0x8d, 0x81, 0x64, 0x9b, 0x4f, 0xcf, 0x11, 0x86, 0xea, 0, 0xaa, 0, 0xb9, 0x29, 0xe8} // PowerPoint.Show.8
)

// compoundFile is an empty but well-formed Compound File Binary (version 3:
// header, one FAT sector, one directory sector) whose root storage carries
// the application's CLSID, the way Office 97-2003 files identify themselves.
func compoundFile(clsid []byte) []byte {
	const sector = 512
	const (
		freeSect   = 0xFFFFFFFF
		endOfChain = 0xFFFFFFFE
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
	)
	b := make([]byte, 3*sector)
	le := binary.LittleEndian
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(b[24:], 0x003E)     // minor version
	le.PutUint16(b[26:], 0x0003)     // major version 3: 512-byte sectors
	le.PutUint16(b[28:], 0xFFFE)     // byte order
	le.PutUint16(b[30:], 9)          // sector shift
	le.PutUint16(b[32:], 6)          // mini sector shift
	le.PutUint32(b[44:], 1)          // FAT sectors
	le.PutUint32(b[48:], 1)          // first directory sector
	le.PutUint32(b[56:], 0x1000)     // mini stream cutoff
	le.PutUint32(b[60:], endOfChain) // no mini FAT
	le.PutUint32(b[68:], endOfChain) // no DIFAT sectors
	le.PutUint32(b[76:], 0)          // DIFAT[0]: the FAT is sector 0
	for i := 1; i < 109; i++ {
		le.PutUint32(b[76+4*i:], freeSect)
	}
	fat := b[sector : 2*sector]
	for i := 0; i < sector/4; i++ {
		le.PutUint32(fat[4*i:], freeSect)
	}
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], endOfChain)
	dir := b[2*sector:]
	for i := 0; i < 4; i++ {
		e := dir[128*i:]
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], noStream)
		le.PutUint32(e[76:], noStream)
	}
	name := "Root Entry"
	for i, r := range name {
		le.PutUint16(dir[2*i:], uint16(r))
	}
	le.PutUint16(dir[64:], uint16(2*(len(name)+1)))
	dir[66] = 5 // root storage
	dir[67] = 1 // black
	copy(dir[80:], clsid)
	le.PutUint32(dir[116:], endOfChain)
	return b
}

func encode(enc func(*bytes.Buffer, image.Image) error) []byte {
	m := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		m.Set(i%4, i/4, color.RGBA{uint8(i * 16), 0x80, 0xff - uint8(i*16), 0xff})
	}
	var b bytes.Buffer
	if err := enc(&b, m); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// BMP is a 1×1 24-bit Windows bitmap.
func BMP() []byte {
	b := make([]byte, 58)
	le := binary.LittleEndian
	copy(b, "BM")
	le.PutUint32(b[2:], 58)  // file size
	le.PutUint32(b[10:], 54) // pixel data offset
	le.PutUint32(b[14:], 40) // BITMAPINFOHEADER
	le.PutUint32(b[18:], 1)  // width
	le.PutUint32(b[22:], 1)  // height
	le.PutUint16(b[26:], 1)  // planes
	le.PutUint16(b[28:], 24) // bits per pixel
	le.PutUint32(b[34:], 4)  // image size (one padded row)
	copy(b[54:], []byte{0xff, 0x80, 0x00, 0x00})
	return b
}

// TIFF is a 1×1 8-bit grayscale baseline TIFF (little-endian).
func TIFF() []byte {
	le := binary.LittleEndian
	type entry struct {
		tag, typ uint16
		value    uint32
	}
	entries := []entry{{256, 4, 1}, {257, 4, 1}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1}, {273, 4, 0}, {277, 3, 1}, {278, 4, 1}, {279, 4, 1}}
	ifdLen := 2 + 12*len(entries) + 4
	pixel := uint32(8 + ifdLen)
	b := make([]byte, int(pixel)+1)
	copy(b, "II*\x00")
	le.PutUint32(b[4:], 8)
	le.PutUint16(b[8:], uint16(len(entries)))
	for i, e := range entries {
		p := b[10+12*i:]
		if e.tag == 273 {
			e.value = pixel // strip offset
		}
		le.PutUint16(p[0:], e.tag)
		le.PutUint16(p[2:], e.typ)
		le.PutUint32(p[4:], 1)
		if e.typ == 3 {
			le.PutUint16(p[8:], uint16(e.value))
		} else {
			le.PutUint32(p[8:], e.value)
		}
	}
	b[pixel] = 0x80
	return b
}

// WebP is a 1×1 lossless WebP (the smallest valid VP8L image).
func WebP() []byte {
	b, err := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	if err != nil {
		panic(err)
	}
	return b
}

// isoMedia is an ISO base media file (MP4, M4A, HEIC): an ftyp box with the
// brand and compatible brands, then an empty mdat box.
func isoMedia(brand, compatible string) []byte {
	var b bytes.Buffer
	le := binary.BigEndian
	size := make([]byte, 4)
	le.PutUint32(size, uint32(16+len(compatible)))
	b.Write(size)
	b.WriteString("ftyp" + brand)
	b.Write([]byte{0, 0, 2, 0}) // minor version
	b.WriteString(compatible)
	b.Write([]byte{0, 0, 0, 8})
	b.WriteString("mdat")
	return b.Bytes()
}

// WAV is 0.01 s of 8 kHz 8-bit mono silence.
func WAV() []byte {
	const n = 80
	le := binary.LittleEndian
	b := make([]byte, 44+n)
	copy(b, "RIFF")
	le.PutUint32(b[4:], 36+n)
	copy(b[8:], "WAVEfmt ")
	le.PutUint32(b[16:], 16)
	le.PutUint16(b[20:], 1)    // PCM
	le.PutUint16(b[22:], 1)    // mono
	le.PutUint32(b[24:], 8000) // sample rate
	le.PutUint32(b[28:], 8000) // byte rate
	le.PutUint16(b[32:], 1)    // block align
	le.PutUint16(b[34:], 8)    // bits per sample
	copy(b[36:], "data")
	le.PutUint32(b[40:], n)
	for i := 44; i < len(b); i++ {
		b[i] = 0x80
	}
	return b
}

// MP3 is an ID3v2.3 tag followed by two MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz).
func MP3() []byte {
	var b bytes.Buffer
	b.Write([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"))
	frame := make([]byte, 417)
	copy(frame, []byte{0xFF, 0xFB, 0x90, 0x64})
	b.Write(frame)
	b.Write(frame)
	return b.Bytes()
}

// WebM is an EBML header with the webm doc type and an empty segment.
func WebM() []byte {
	header := []byte{
		0x42, 0x86, 0x81, 0x01, // EBMLVersion 1
		0x42, 0xF7, 0x81, 0x01, // EBMLReadVersion 1
		0x42, 0xF2, 0x81, 0x04, // EBMLMaxIDLength 4
		0x42, 0xF3, 0x81, 0x08, // EBMLMaxSizeLength 8
		0x42, 0x82, 0x84, 'w', 'e', 'b', 'm', // DocType
		0x42, 0x87, 0x81, 0x04, // DocTypeVersion 4
		0x42, 0x85, 0x81, 0x02, // DocTypeReadVersion 2
	}
	b := append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x80 | byte(len(header))}, header...)
	return append(b, 0x18, 0x53, 0x80, 0x67, 0x80) // Segment, size 0
}

// Families lists the family names All uses, in order.
func Families() []string {
	var out []string
	for _, s := range All() {
		if len(out) == 0 || out[len(out)-1] != s.Family {
			out = append(out, s.Family)
		}
	}
	return out
}

// Named returns the sample with filename name; it panics if there is none.
func Named(name string) Sample {
	for _, s := range All() {
		if strings.EqualFold(s.Filename, name) {
			return s
		}
	}
	panic("samples: no sample named " + name)
}
