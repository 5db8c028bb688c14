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
	"hash/crc32"
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
		{"documents", "report-pdfa.pdf", PDFA()},
		{"documents", "letter.docx", ooxml("word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>`)},
		{"documents", "letter-stored.docx", storedDOCX()},
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
		{"images", "photo-xmp.jpg", jpegWithXMP()},
		{"images", "photo-xmp.png", pngWithXMP()},
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
		{"ebooks", "book-stored.epub", storedEPUB()},
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
	return pdfOf(
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
		"<</Length 44>>\nstream\nBT /F1 24 Tf 72 700 Td (Hello, PDF) Tj ET\nendstream",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
	)
}

// PDFA is a one-page PDF/A-2b as archiving tools write it: the XMP metadata
// stream, which PDF/A requires uncompressed, comes right after the catalog,
// so its markup lies in the first kilobytes.
func PDFA() []byte {
	meta := XMP("Microsoft® Word for Microsoft 365", `pdf:Producer="Microsoft® Word for Microsoft 365" pdfaid:part="2" pdfaid:conformance="B"`)
	return pdfOf(
		"<</Type/Catalog/Pages 3 0 R/Metadata 2 0 R/MarkInfo<</Marked true>>/Lang(en-GB)>>",
		fmt.Sprintf("<</Type/Metadata/Subtype/XML/Length %d>>\nstream\n%s\nendstream", len(meta), meta),
		"<</Type/Pages/Kids[4 0 R]/Count 1>>",
		"<</Type/Page/Parent 3 0 R/MediaBox[0 0 595 842]/Contents 5 0 R/Resources<</Font<</F1 6 0 R>>>>>>",
		"<</Length 46>>\nstream\nBT /F1 12 Tf 72 770 Td (Invoice 2026-014) Tj ET\nendstream",
		"<</Type/Font/Subtype/TrueType/BaseFont/ABCDEE+Calibri/FirstChar 32/LastChar 122/Encoding/WinAnsiEncoding>>",
	)
}

// pdfOf is a PDF of the given objects, numbered from 1, with a correct
// cross-reference table.
func pdfOf(objects ...string) []byte {
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

// XMP is an XMP packet as Adobe's toolkit writes it into PDFs, JPEGs and
// PNGs: an RDF description whose properties are attributes (extra adds
// some), a title, a history of edits, and the padding that lets an editor
// rewrite it in place.
func XMP(creatorTool, extra string) string {
	return `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 9.1-c001 79.675d0f7, 2023/06/11-19:21:16">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
   xmp:CreatorTool="` + creatorTool + `"
   xmp:CreateDate="2026-01-05T10:12:03+01:00"
   xmp:ModifyDate="2026-01-05T10:14:41+01:00"
   xmp:MetadataDate="2026-01-05T10:14:41+01:00"
   photoshop:ColorMode="3"
   xmpMM:DocumentID="uuid:8f1c2a3e-5b7d-4e21-9c0a-1d2e3f4a5b6c"
   xmpMM:InstanceID="uuid:0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"
   ` + extra + `>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Invoice 2026-014 &amp; online order &lt;ref 7&gt;</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>Accounts</rdf:li></rdf:Seq></dc:creator>
   <xmpMM:History>
    <rdf:Seq>
     <rdf:li stEvt:action="created" stEvt:instanceID="xmp.iid:1a2b3c4d" stEvt:when="2026-01-05T10:12:03+01:00" stEvt:softwareAgent="Adobe Photoshop 25.0 (Windows)"/>
     <rdf:li stEvt:action="saved" stEvt:instanceID="xmp.iid:5e6f7a8b" stEvt:when="2026-01-05T10:14:41+01:00" stEvt:softwareAgent="Adobe Photoshop 25.0 (Windows)" stEvt:changed="/"/>
    </rdf:Seq>
   </xmpMM:History>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
` + strings.Repeat(strings.Repeat(" ", 99)+"\n", 4) + `<?xpacket end="w"?>`
}

// jpegWithXMP is a JPEG whose XMP packet sits in an APP1 segment right
// after the start-of-image marker, where cameras and editors put it.
func jpegWithXMP() []byte {
	body := encode(func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })
	payload := append([]byte("http://ns.adobe.com/xap/1.0/\x00"), XMP("Adobe Photoshop 25.0 (Windows)", `photoshop:DateCreated="2026-01-05T10:12:03"`)...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(append(append([]byte{0xFF, 0xD8}, seg...), payload...), body[2:]...)
}

// pngWithXMP is a PNG with its XMP packet in an iTXt chunk right after the
// header chunk, as image editors write it.
func pngWithXMP() []byte {
	body := encode(func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
	data := append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), XMP("Adobe Photoshop 25.0 (Windows)", `photoshop:ICCProfile="sRGB IEC61966-2.1"`)...)
	chunk := make([]byte, 4, 12+len(data))
	binary.BigEndian.PutUint32(chunk, uint32(len(data)))
	chunk = append(append(chunk, "iTXt"...), data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	const afterIHDR = 8 + 25 // signature, then IHDR: length, type, 13 bytes, CRC
	return append(append(append([]byte{}, body[:afterIHDR]...), chunk...), body[afterIHDR:]...)
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
	return ooxmlPackage(dir, mainType, part, body, false)
}

// ooxmlStored is ooxml with every member stored uncompressed.
func ooxmlStored(dir, mainType, part, body string) []byte {
	return ooxmlPackage(dir, mainType, part, body, true)
}

func ooxmlPackage(dir, mainType, part, body string, stored bool) []byte {
	types := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/` + dir + `/` + part + `" ContentType="` + mainType + `"/></Types>`
	rels := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="` + dir + `/` + part + `"/></Relationships>`
	return zipOf(
		zipEntry{name: "[Content_Types].xml", body: types, stored: stored},
		zipEntry{name: "_rels/.rels", body: rels, stored: stored},
		zipEntry{name: dir + "/" + part, body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + body, stored: stored},
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

// storedEPUB is an EPUB 3 book written by a tool that stores every member
// uncompressed (some converters do): its first chapter's XHTML, with a
// title, a stylesheet link, a note reference and an image, lies in the
// first kilobytes.
func storedEPUB() []byte {
	container := `<?xml version="1.0" encoding="UTF-8"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">` +
		`<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`
	chapter := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">
<head><meta charset="utf-8"/><title>Chapter One</title><link rel="stylesheet" type="text/css" href="../css/style.css"/></head>
<body epub:type="bodymatter"><section id="c1" epub:type="chapter" role="doc-chapter">
<h1 class="one">One</h1>
<p>She was online at once, and on the morning train.<a href="notes.xhtml#n1" epub:type="noteref" role="doc-noteref">1</a></p>
<figure><img src="../images/map.jpg" alt="A map of the line"/><figcaption>The line, 1926</figcaption></figure>
</section></body></html>`
	opf := `<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">` +
		`<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:1</dc:identifier><dc:title>Book</dc:title><dc:language>en</dc:language></metadata>` +
		`<manifest><item id="c1" href="text/chapter1.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c1"/></spine></package>`
	return zipOf(
		zipEntry{name: "mimetype", body: "application/epub+zip", stored: true},
		zipEntry{name: "META-INF/container.xml", body: container, stored: true},
		zipEntry{name: "OEBPS/text/chapter1.xhtml", body: chapter, stored: true},
		zipEntry{name: "OEBPS/content.opf", body: opf, stored: true},
	)
}

// storedDOCX is a Word document whose package members are stored
// uncompressed, with the namespaces and attributes Word writes.
func storedDOCX() []byte {
	doc := `<w:document xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w10="urn:schemas-microsoft-com:office:word" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14">` +
		`<w:body><w:p w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3"><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t xml:space="preserve">Online order </w:t></w:r>` +
		`<w:hyperlink r:id="rId5" w:history="1"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>details</w:t></w:r></w:hyperlink></w:p>` +
		`<w:p><w:r><w:pict><v:shape id="_x0000_i1025" type="#_x0000_t75" style="width:12pt;height:12pt" o:ole=""><v:imagedata r:id="rId6" o:title=""/></v:shape></w:pict></w:r></w:p>` +
		`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440"/></w:sectPr></w:body></w:document>`
	return ooxmlStored("word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "document.xml", doc)
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
