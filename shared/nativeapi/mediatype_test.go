package nativeapi

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// creates answers every create with a PENDING file, counting calls.
type creates struct{ calls *int }

func (c creates) Create(_ context.Context, in files.CreateInput) (*files.Created, error) {
	*c.calls++
	return &files.Created{File: &files.File{Status: files.StatusPending, Declared: files.Declared{Filename: in.Filename, MimeType: in.MimeType, SizeBytes: in.SizeBytes}, UploadExpiresAt: time.Now().Add(time.Hour)}}, nil
}
func (creates) Now() time.Time { return time.Now() }

// A POST body is read only when it is labelled JSON (application/json, with
// parameters such as charset): anything else, an unlabelled body included,
// is Lightfield's 415 unsupported_media_type. A POST without a body (a
// cancel or complete) needs no label.
func TestBodiesMustBeLabelledJSON(t *testing.T) {
	p := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	body := `{"filename":"a.pdf","mimeType":"application/pdf","sizeBytes":3}`
	for _, tc := range []struct {
		contentType string
		status      int
	}{
		{"application/json", 200},
		{"application/json; charset=utf-8", 200},
		{"Application/JSON", 200},
		{"", 415},
		{"text/plain", 415},
		{"application/x-www-form-urlencoded", 415},
		{"application/vnd.api+json", 415},
		{"multipart/form-data; boundary=x", 415},
		{"json", 415},
	} {
		calls := 0
		headers := map[string]string{}
		if tc.contentType != "" {
			headers["Content-Type"] = tc.contentType
		}
		resp := invokeRoute(t, Create(creates{&calls}, nil, nil), "POST", "/v1/files", body, headers, p)
		if resp.StatusCode != tc.status || (tc.status == 415) != (calls == 0) {
			t.Errorf("Content-Type %q: %d %s after %d creates, want %d", tc.contentType, resp.StatusCode, resp.Body, calls, tc.status)
		}
		if tc.status == 415 {
			checkType(t, resp.Body, "unsupported_media_type", "Content-Type")
		}
	}
	done := &files.File{Status: files.StatusCompleted}
	for _, contentType := range []string{"", "text/plain", "application/json"} {
		headers := map[string]string{}
		if contentType != "" {
			headers["Content-Type"] = contentType
		}
		if resp := invokeRoute(t, Complete(settles{done}, nil, nil), "POST", "/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894/complete", "", headers, p); resp.StatusCode != 200 {
			t.Errorf("bodiless complete, Content-Type %q: %d %s, want 200", contentType, resp.StatusCode, resp.Body)
		}
	}
}

func checkType(t *testing.T, raw, typ, param string) {
	t.Helper()
	var body errorBody
	if err := json.Unmarshal([]byte(raw), &body); err != nil || body.Error.Type != typ || body.Error.Param != param {
		t.Errorf("body %s (%v), want type %s param %s", raw, err, typ, param)
	}
}

// The native API takes Lightfield's purposes and refuses LlamaCloud's.
func TestNativeTakesLightfieldsPurposes(t *testing.T) {
	p := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	for purpose, status := range map[string]int{
		"meeting_transcript": 200, "knowledge_user": 200, "knowledge_workspace": 200, "email_attachment": 200, "": 200,
		"user_data": 400, "parse": 400, "extract": 400, "split": 400, "classify": 400, "sheet": 400, "agent_app": 400,
	} {
		calls := 0
		body := `{"filename":"a.pdf","mimeType":"application/pdf","sizeBytes":3,"purpose":"` + purpose + `"}`
		resp := invokeRoute(t, Create(creates{&calls}, nil, nil), "POST", "/v1/files", body, map[string]string{"Content-Type": "application/json"}, p)
		if resp.StatusCode != status {
			t.Errorf("purpose %q: %d %s, want %d", purpose, resp.StatusCode, resp.Body, status)
		}
		if status == 400 {
			checkType(t, resp.Body, "bad_request", "purpose")
		}
	}
}
