package openapicheck

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func load(t *testing.T, name string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("../..", name))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// What Lightfield's Files API has (its API reference, the Go SDK's types,
// its "Errors", "Idempotency" and "File uploads" pages).
var (
	lightfieldOperations = []string{"createFile", "listFiles", "getFile", "completeFile", "cancelFile", "getFileUrl"}
	lightfieldProperties = []string{
		"id", "status", "filename", "mimeType", "sizeBytes", "createdAt", "completedAt", "expiresAt", // File
		"uploadUrl", "uploadHeaders", // FileCreateResponse
		"object", "data", "totalCount", // FileListResponse
		"url",                                       // FileURLResponse (with expiresAt)
		"error", "type", "message", "code", "param", // the error envelope
		"purpose", "md5", // create's and complete's parameters
	}
	lightfieldValues = []any{
		"PENDING", "COMPLETED", "CANCELLED", "EXPIRED", // statuses
		"bad_request", "unauthorized", "forbidden", "not_found", "conflict", "idempotency_conflict", "unsupported_media_type",
		"unprocessable_content", "too_many_requests", "internal_server_error", "service_unavailable", "gateway_timeout", // error types
		"meeting_transcript", "knowledge_user", "knowledge_workspace", "email_attachment", // purposes
		"list",
	}
	lightfieldPurposes = []any{"meeting_transcript", "knowledge_user", "knowledge_workspace", "email_attachment"}
)

// Everything of the native document that Lightfield's API does not have is
// marked `x-filegate-extension: true` with a description: operations,
// properties, enum values (in their own marked branch of an anyOf) and the
// response purpose Lightfield neither keeps nor returns; and it carries
// Lightfield's own bounds where the SDK relies on them.
func TestNativeDocumentMarksEveryExtension(t *testing.T) {
	doc := load(t, "openapi/native.yaml")
	var unmarked []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if !slices.Contains(lightfieldOperations, op.OperationID) {
				if !marked(op.Extensions, op.Summary+op.Description) {
					unmarked = append(unmarked, where+" (operation)")
				}
				continue
			}
			w := walker{seen: map[*openapi3.Schema]bool{}}
			if op.RequestBody != nil {
				for _, mt := range op.RequestBody.Value.Content {
					w.walk(where+" request", mt.Schema, &unmarked)
				}
			}
			for status, res := range op.Responses.Map() {
				for _, mt := range res.Value.Content {
					w.walk(where+" "+status, mt.Schema, &unmarked)
				}
			}
		}
	}
	sort.Strings(unmarked)
	if len(unmarked) > 0 {
		t.Errorf("Filegate extensions without x-filegate-extension: true and a description:\n  %s", strings.Join(unmarked, "\n  "))
	}

	schemas := doc.Components.Schemas
	create := schemas["CreateRequest"].Value
	if max := create.Properties["sizeBytes"].Value.Max; max == nil || *max != 536870912 {
		t.Errorf("CreateRequest.sizeBytes maximum %v, want Lightfield's 536870912", max)
	}
	if got := create.Properties["purpose"].Value.Enum; !slices.Equal(got, lightfieldPurposes) {
		t.Errorf("CreateRequest.purpose enum %v, want Lightfield's %v", got, lightfieldPurposes)
	}
	if p := schemas["File"].Value.Properties["purpose"].Value; !marked(p.Extensions, p.Description) {
		t.Error("File.purpose is a Filegate extension (Lightfield does not return it) and is not marked")
	}
	for _, name := range []string{"File", "FileFields"} {
		if req := schemas[name].Value.Required; !slices.Contains(req, "completedAt") {
			t.Errorf("%s does not require completedAt (the SDK's FileCreateResponse and File do): %v", name, req)
		}
	}
}

type walker struct{ seen map[*openapi3.Schema]bool }

// walk checks ref's schema and everything under it: every property outside
// Lightfield's and every enum value outside Lightfield's sits under a schema
// marked as an extension.
func (w walker) walk(where string, ref *openapi3.SchemaRef, unmarked *[]string) {
	if ref == nil || ref.Value == nil || w.seen[ref.Value] {
		return
	}
	s := ref.Value
	w.seen[s] = true
	if marked(s.Extensions, s.Description) || strings.HasSuffix(ref.Ref, "/GatewayError") {
		return // all of it is Filegate's (or API Gateway's own), and says so
	}
	for _, v := range s.Enum {
		if v != nil && !slices.Contains(lightfieldValues, v) {
			*unmarked = append(*unmarked, fmt.Sprintf("%s: enum value %v", where, v))
		}
	}
	for name, p := range s.Properties {
		if !slices.Contains(lightfieldProperties, name) && !marked(p.Value.Extensions, p.Value.Description) {
			*unmarked = append(*unmarked, where+": property "+name)
			continue
		}
		w.walk(where+"."+name, p, unmarked)
	}
	for _, sub := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
		w.walk(where, sub, unmarked)
	}
	w.walk(where+"[]", s.Items, unmarked)
	if s.AdditionalProperties.Schema != nil {
		w.walk(where+"{}", s.AdditionalProperties.Schema, unmarked)
	}
}

func marked(ext map[string]any, description string) bool {
	return ext["x-filegate-extension"] == true && strings.TrimSpace(description) != ""
}

// The compat document holds files.d.ts's types and the seed's bounds:
// expand is a list, name is 1 to 3000 characters, file_size is never
// negative, a PresignedURL's url is a URI; an upload's purpose is one of
// LlamaCloud's seven.
func TestCompatDocumentFollowsTheClientsTypes(t *testing.T) {
	doc := load(t, "openapi/compat.yaml")
	for _, path := range []string{"/api/v1/beta/files", "/api/v1/beta/files/{id}"} {
		p := doc.Paths.Find(path).Get.Parameters.GetByInAndName("query", "expand")
		if p == nil || !p.Schema.Value.Type.Is("array") || p.Schema.Value.Items == nil || !p.Schema.Value.Items.Value.Type.Is("string") {
			t.Errorf("GET %s: expand is not an array of strings", path)
		}
	}
	file := doc.Components.Schemas["File"].Value
	if name := file.Properties["name"].Value; name.MaxLength == nil || *name.MaxLength != 3000 || name.MinLength != 1 {
		t.Errorf("File.name: length %d to %v, want 1 to 3000", name.MinLength, name.MaxLength)
	}
	if size := file.Properties["file_size"].Value; size.Min == nil || *size.Min != 0 {
		t.Errorf("File.file_size minimum %v, want 0", size.Min)
	}
	if u := doc.Components.Schemas["PresignedURL"].Value.Properties["url"].Value; u.Format != "uri" || u.MinLength != 1 {
		t.Errorf("PresignedURL.url: format %q, minLength %d; want uri, 1", u.Format, u.MinLength)
	}
	form := doc.Paths.Find("/api/v1/beta/files").Post.RequestBody.Value.Content["multipart/form-data"].Schema.Value
	want := []any{"user_data", "parse", "extract", "split", "classify", "sheet", "agent_app"}
	if got := form.Properties["purpose"].Value.Enum; !slices.Equal(got, want) {
		t.Errorf("upload purpose enum %v, want LlamaCloud's %v", got, want)
	}
}
