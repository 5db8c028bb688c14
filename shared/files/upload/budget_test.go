package upload

import (
	"context"
	"testing"

	"github.com/filegate/filegate/shared/files"
)

// budget is an upload token's ledger as CreateInput.Admit sees it: it
// charges each new file id once, and refuses past maxFiles or maxBytes.
type budget struct {
	maxFiles int
	maxBytes int64
	charged  map[files.FileID]int64
}

func (b *budget) admit(_ context.Context, f *files.File) error {
	if _, ok := b.charged[f.ID]; ok {
		return nil
	}
	var bytes int64
	for _, n := range b.charged {
		bytes += n
	}
	if len(b.charged) >= b.maxFiles || bytes+f.SizeBytes > b.maxBytes {
		return files.Errorf(files.KindForbidden, "token_file_limit", "over budget")
	}
	b.charged[f.ID] = f.SizeBytes
	return nil
}

// Every way of creating a file spends the caller's budget, bytes included,
// before anything is recorded or opened in storage: a create refused by it
// leaves no record and no multipart upload behind.
func TestEveryCreatePathSpendsTheBudget(t *testing.T) {
	ctx := context.Background()
	const size = 2 * files.MinPartBytes
	single := func(s *service, admit func(context.Context, *files.File) error) (*files.File, error) {
		c, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: size}, Admit: admit})
		if err != nil {
			return nil, err
		}
		return c.File, nil
	}
	multipart := func(s *service, admit func(context.Context, *files.File) error) (*files.File, error) {
		c, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: size}, Admit: admit,
			Multipart: &files.MultipartPlan{PartSizeBytes: files.MinPartBytes}})
		if err != nil {
			return nil, err
		}
		return c.File, nil
	}
	for name, create := range map[string]func(*service, func(context.Context, *files.File) error) (*files.File, error){
		"single PUT": single,
		"multipart":  multipart,
	} {
		t.Run(name, func(t *testing.T) {
			s, st, obj := newTestService()
			b := &budget{maxFiles: 1, maxBytes: 10 * size, charged: map[files.FileID]int64{}}
			f, err := create(s, b.admit)
			if err != nil {
				t.Fatal(err)
			}
			if b.charged[f.ID] != size {
				t.Fatalf("the first file was charged %v, want its %d bytes", b.charged, size)
			}
			for what, next := range map[string]func(*service, func(context.Context, *files.File) error) (*files.File, error){"single PUT": single, "multipart": multipart} {
				if _, err := next(s, b.admit); files.KindOf(err) != files.KindForbidden {
					t.Errorf("a %s create past a one-file budget: %v, want it refused", what, err)
				}
			}
			if len(st.files) != 1 || len(obj.uploads) > 1 {
				t.Errorf("refused creates left %d records and %d multipart uploads, want the first file's alone", len(st.files), len(obj.uploads))
			}
		})
	}
	t.Run("direct upload", func(t *testing.T) {
		s, st, obj := newCompatService()
		b := &budget{maxFiles: 1, maxBytes: 10 * size, charged: map[files.FileID]int64{}}
		in := files.DirectUpload{ProjectID: project, Filename: "a.pdf", Purpose: "parse", Body: pdfBody, Admit: b.admit}
		f, err := s.UploadDirect(ctx, in)
		if err != nil || b.charged[f.ID] != int64(len(pdfBody)) {
			t.Fatalf("upload: %v; charged %v, want its %d bytes", err, b.charged, len(pdfBody))
		}
		if _, err := s.UploadDirect(ctx, in); files.KindOf(err) != files.KindForbidden {
			t.Errorf("a direct upload past a one-file budget: %v, want it refused", err)
		}
		if _, err := single(s, b.admit); files.KindOf(err) != files.KindForbidden {
			t.Errorf("a create after the direct upload spent the budget: %v, want it refused", err)
		}
		if len(st.files) != 1 || len(obj.objects) != 1 {
			t.Errorf("refused uploads left %d records and %d objects, want the first file's alone", len(st.files), len(obj.objects))
		}
	})
	t.Run("bytes", func(t *testing.T) {
		s, st, obj := newTestService()
		b := &budget{maxFiles: 10, maxBytes: size + 1, charged: map[files.FileID]int64{}}
		if _, err := multipart(s, b.admit); err != nil {
			t.Fatal(err)
		}
		if _, err := single(s, b.admit); files.KindOf(err) != files.KindForbidden {
			t.Errorf("a create past the byte budget a multipart file spent: %v, want it refused", err)
		}
		if len(st.files) != 1 || len(obj.uploads) != 1 {
			t.Errorf("%d records, %d multipart uploads; want the multipart file's alone", len(st.files), len(obj.uploads))
		}
	})
}
