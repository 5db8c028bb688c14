package compatapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/files/upload"
)

// LlamaCloud's path and query ids are UUIDs, which FastAPI validates before
// any handler runs: one that is neither a UUID nor Filegate's fil_ spelling
// is its 422 uuid_parsing, with pydantic's message.
func TestMalformedIDsAreFastAPI422s(t *testing.T) {
	for _, tc := range []struct {
		route, path, query string
		loc                []any
		input, msg         string
	}{
		{"GET /api/v1/beta/files/{id}", "/api/v1/beta/files/not-a-uuid", "", []any{"path", "file_id"}, "not-a-uuid",
			"Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1"},
		{"GET /api/v1/beta/files/{id}/content", "/api/v1/beta/files/0190f1c2-0000-7000-8000-00000000000g/content", "", []any{"path", "file_id"}, "0190f1c2-0000-7000-8000-00000000000g",
			"Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `g` at 36"},
		{"DELETE /api/v1/beta/files/{id}", "/api/v1/beta/files/0190f1c2", "", []any{"path", "file_id"}, "0190f1c2",
			"Input should be a valid UUID, invalid length: expected length 32 for simple format, found 8"},
		{"DELETE /api/v1/beta/files/{id}", "/api/v1/beta/files/0190f1c2-0000", "", []any{"path", "file_id"}, "0190f1c2-0000",
			"Input should be a valid UUID, invalid group count: expected 5, found 2"},
		{"GET /api/v1/beta/files/{id}", "/api/v1/beta/files/0190f1c2-000-7000-8000-000000000000", "", []any{"path", "file_id"}, "0190f1c2-000-7000-8000-000000000000",
			"Input should be a valid UUID, invalid group length in group 1: expected 4, found 3"},
		{"GET /api/v1/beta/files", "/api/v1/beta/files", "project_id=my-project", []any{"query", "project_id"}, "my-project",
			"Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `m` at 1"},
		{"POST /api/v1/beta/files/query", "/api/v1/beta/files/query", "organization_id=42", []any{"query", "organization_id"}, "42",
			"Input should be a valid UUID, invalid length: expected length 32 for simple format, found 2"},
		{"POST /api/v1/beta/files/query", "/api/v1/beta/files/query", "", []any{"body", "filter", "project_id"}, "abc",
			"Input should be a valid UUID, invalid length: expected length 32 for simple format, found 3"},
	} {
		var sent []byte
		if tc.loc[0] == "body" {
			sent = []byte(`{"filter":{"project_id":"` + tc.input + `"}}`)
		}
		status, body := invoke(t, request{route: tc.route, path: tc.path, query: tc.query, contentType: "application/json", body: sent, principal: &owner})
		var got fieldsBody
		if err := json.Unmarshal([]byte(body), &got); err != nil || status != 422 || len(got.Detail) != 1 {
			t.Errorf("%s %s?%s: %d %s, want one 422 entry", tc.route, tc.path, tc.query, status, body)
			continue
		}
		d := got.Detail[0]
		if d.Type != "uuid_parsing" || d.Msg != tc.msg || d.Input != tc.input || fmt.Sprint(d.Loc) != fmt.Sprint(tc.loc) {
			t.Errorf("%s %s?%s: %+v, want uuid_parsing at %v: %q", tc.route, tc.path, tc.query, d, tc.loc, tc.msg)
		}
	}
	// Both spellings of an id, and the key's own tenants, pass to the handler.
	for _, q := range []string{"project_id=" + projectA, "project_id=" + strings.ToUpper(projectA), "organization_id=" + owner.OrganizationID} {
		if status, body := invoke(t, request{route: "GET /api/v1/beta/files", path: "/api/v1/beta/files", query: q + "&page_size=0", principal: &owner}); status != 400 {
			t.Errorf("%s: %d %s, want the handler's 400 (page_size=0)", q, status, body)
		}
	}
}

// The compat API takes LlamaCloud's seven purposes and refuses Lightfield's.
func TestCompatTakesLlamaCloudsPurposes(t *testing.T) {
	rt := Upload(uploads{&files.File{Status: files.StatusCompleted}}, nil)
	for purpose, status := range map[string]int{
		"user_data": 200, "parse": 200, "extract": 200, "split": 200, "classify": 200, "sheet": 200, "agent_app": 200,
		"meeting_transcript": 400, "knowledge_user": 400, "knowledge_workspace": 400, "email_attachment": 400,
	} {
		body, ct := form(t, part{name: "file", filename: "a.txt", body: "hi"}, part{name: "purpose", body: purpose})
		resp := serveRoute(t, context.Background(), rt, "POST", "/api/v1/beta/files", "", map[string]string{"content-type": ct}, body)
		if resp.StatusCode != status || (status == 400 && !strings.Contains(resp.Body, "purpose")) {
			t.Errorf("purpose %s: %d %s, want %d", purpose, resp.StatusCode, resp.Body, status)
		}
	}
}

// The domain's rules name the fields they judge; this API names them as
// LlamaCloud does (file_size, name, the file part's type), never as the
// native API (sizeBytes, filename, mimeType).
func TestErrorsNameThisAPIsFields(t *testing.T) {
	o := files.Options{Config: files.Config{Purposes: map[string]files.Purpose{"parse": {MaxBytes: 5}, "user_data": {MaxBytes: files.DefaultMaxBytes}}}}
	rt := Upload(upload.NewDirect(nil, nil, nil, o), nil)
	for name, tc := range map[string]struct {
		parts []part
		want  string
	}{
		"over the purpose's size":    {[]part{{name: "file", filename: "a.txt", body: "0123456789"}, {name: "purpose", body: "parse"}}, "file_size"},
		"name too long":              {[]part{{name: "file", filename: strings.Repeat("n", 3001), body: "hi"}, {name: "purpose", body: "user_data"}}, "name must be"},
		"type against the extension": {[]part{{name: "file", filename: "invoice.html", contentType: "application/pdf", body: "%PDF-1.4"}, {name: "purpose", body: "user_data"}}, "Content-Type"},
	} {
		body, ct := form(t, tc.parts...)
		resp := serveRoute(t, context.Background(), rt, "POST", "/api/v1/beta/files", "", map[string]string{"content-type": ct}, body)
		var e errorBody
		if err := json.Unmarshal([]byte(resp.Body), &e); err != nil || resp.StatusCode != 400 || !strings.Contains(e.Detail, tc.want) {
			t.Errorf("%s: %d %s, want 400 naming %q", name, resp.StatusCode, resp.Body, tc.want)
		}
		for _, native := range []string{"sizeBytes", "filename", "mimeType"} {
			if strings.Contains(e.Detail, native) {
				t.Errorf("%s: %q names the native API's %s", name, e.Detail, native)
			}
		}
	}
}
