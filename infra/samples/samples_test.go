package samples

import (
	"archive/zip"
	"bytes"
	"image/jpeg"
	"image/png"
	"testing"
)

// The samples that carry markup in their first bytes are still well-formed
// files of their format, as their readers see them.
func TestMarkupCarryingSamplesAreWellFormed(t *testing.T) {
	if _, err := jpeg.Decode(bytes.NewReader(Named("photo-xmp.jpg").Body)); err != nil {
		t.Errorf("photo-xmp.jpg: %v", err)
	}
	if _, err := png.Decode(bytes.NewReader(Named("photo-xmp.png").Body)); err != nil {
		t.Errorf("photo-xmp.png: %v", err)
	}
	for _, name := range []string{"book-stored.epub", "letter-stored.docx"} {
		b := Named(name).Body
		r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range r.File {
			if f.Method != zip.Store {
				t.Errorf("%s: %s is compressed", name, f.Name)
			}
		}
	}
	pdf := Named("report-pdfa.pdf").Body
	if i := bytes.Index(pdf, []byte("<x:xmpmeta")); i < 0 || i > 1024 {
		t.Errorf("report-pdfa.pdf: XMP at %d, want within the first KiB", i)
	}
}
