package nativeapi

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
)

// neverCreates is a create use case the requests here must not reach.
type neverCreates struct{ t *testing.T }

func (c neverCreates) Create(context.Context, files.CreateInput) (*files.Created, error) {
	c.t.Error("the request reached the use case")
	return nil, files.Internal(nil)
}
func (neverCreates) Now() time.Time { return time.Now() }

// The error codes Lightfield's "Errors" page lists, where one fits: a
// missing parameter, a value of the wrong type, an over-long key.
func TestCodesFollowLightfieldsList(t *testing.T) {
	p := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	once := &idempotency.Keys{Store: heldStore{time.Second}, Now: time.Now}
	create := Create(neverCreates{t}, once, nil)
	complete := Complete(settles{}, once, nil)
	json := map[string]string{"Content-Type": "application/json"}
	for _, tc := range []struct {
		name, body  string
		headers     map[string]string
		code, param string
	}{
		{"no filename", `{"mimeType":"application/pdf","sizeBytes":3}`, json, "parameter_missing", "filename"},
		{"null filename", `{"filename":null,"mimeType":"application/pdf","sizeBytes":3}`, json, "parameter_missing", "filename"},
		{"no mimeType", `{"filename":"a.pdf","sizeBytes":3}`, json, "parameter_missing", "mimeType"},
		{"no sizeBytes", `{"filename":"a.pdf","mimeType":"application/pdf"}`, json, "parameter_missing", "sizeBytes"},
		{"empty body", ``, nil, "parameter_missing", "filename"},
		{"sizeBytes a string", `{"filename":"a.pdf","mimeType":"application/pdf","sizeBytes":"ten"}`, json, "invalid_type", "sizeBytes"},
		{"filename a number", `{"filename":7,"mimeType":"application/pdf","sizeBytes":3}`, json, "invalid_type", "filename"},
		{"body an array", `[]`, json, "invalid_type", ""},
		{"long Idempotency-Key", `{"filename":"a.pdf","mimeType":"application/pdf","sizeBytes":3}`, map[string]string{"Content-Type": "application/json", "Idempotency-Key": strings.Repeat("k", 256)}, "idempotency_key_too_long", "Idempotency-Key"},
	} {
		resp := invokeRoute(t, create, "POST", "/v1/files", tc.body, tc.headers, p)
		checkCode(t, tc.name, resp.StatusCode, resp.Body, tc.code, tc.param)
	}
	resp := invokeRoute(t, complete, "POST", "/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894/complete", `{"md5":5}`, json, p)
	checkCode(t, "md5 a number", resp.StatusCode, resp.Body, "invalid_type", "md5")
}

func checkCode(t *testing.T, name string, status int, raw, code, param string) {
	t.Helper()
	var body errorBody
	if err := json.Unmarshal([]byte(raw), &body); err != nil {
		t.Fatalf("%s: body %s: %v", name, raw, err)
	}
	if status != 400 || body.Error.Type != "bad_request" || body.Error.Code != code || body.Error.Param != param {
		t.Errorf("%s: %d %s, want 400 bad_request code %s param %q", name, status, raw, code, param)
	}
}

// What Lightfield's "Errors" page documents: its error types (a code equal
// to one names that type) and its 400 codes.
var lightfieldVocabulary = []string{
	"bad_request", "unauthorized", "forbidden", "not_found", "conflict", "unsupported_media_type", "unprocessable_content",
	"too_many_requests", "internal_server_error", "service_unavailable", "idempotency_conflict",
	"referenced_resource_missing", "relationship_entity_missing", "relationship_entity_inactive", "unknown_field",
	"unknown_relationship", "invalid_configuration", "idempotency_key_too_long", "invalid_type", "parameter_missing", "version_header",
}

// compatOnly are the domain's codes that only the compat API's use cases
// raise: its envelope ({"detail": ...}) carries no code, so no client sees them.
var compatOnly = []string{"too_large_for_direct_upload", "invalid_external_file_id", "invalid_page_token", "too_many_file_ids", "invalid_page_size", "invalid_order_by", "listing_unavailable"}

// Every code the native API sends that Lightfield does not document is
// listed, with its meaning, in a table of the user documentation (README.md
// or docs/): a row whose first cell names the code.
func TestEveryFilegateCodeIsDocumented(t *testing.T) {
	codes := codesIn(t, "../../shared")
	for _, code := range compatOnly {
		delete(codes, code)
	}
	if len(codes) < 20 {
		t.Fatalf("found %d codes in shared/: the scan misses the error constructors", len(codes))
	}
	var firstCells strings.Builder
	for _, name := range append([]string{"../../README.md"}, mustGlob(t, "../../docs/*.md")...) {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(raw), "\n") {
			if cells := strings.Split(line, "|"); len(cells) > 2 && strings.TrimSpace(cells[0]) == "" {
				firstCells.WriteString(cells[1] + "\n")
			}
		}
	}
	var missing []string
	for code := range codes {
		if !slices.Contains(lightfieldVocabulary, code) && !strings.Contains(firstCells.String(), "`"+code+"`") {
			missing = append(missing, code)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("codes without a row in the documentation's table of Filegate's error codes: %s", strings.Join(missing, ", "))
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	names, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// codesIn collects the codes the Go sources under root (but the compat
// dialect's) give errors and rejections: files.Errorf's second argument, and Code fields of Error and
// Rejection literals.
func codesIn(t *testing.T, root string) map[string]bool {
	codes := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "compatapi" {
			return filepath.SkipDir // its errors are {"detail": ...}, without a code
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if name(n.Fun) == "Errorf" && len(n.Args) > 1 {
					addLiteral(codes, n.Args[1])
				}
			case *ast.CompositeLit:
				if typ := name(n.Type); typ == "Error" || typ == "Rejection" {
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok && name(kv.Key) == "Code" {
							addLiteral(codes, kv.Value)
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return codes
}

func name(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

func addLiteral(codes map[string]bool, e ast.Expr) {
	if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
		if s, err := strconv.Unquote(lit.Value); err == nil && s != "" { // "": no code (a 429 has none)
			codes[s] = true
		}
	}
}
