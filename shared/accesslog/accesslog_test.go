package accesslog

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWrapLogsOneLineWithoutSecrets(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	mux := http.NewServeMux()
	mux.Handle("GET /v1/files/{id}", Wrap(log, "GET /v1/files/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Note(r.Context(), "fileId", "fil_X") // what the route parsed
		w.WriteHeader(http.StatusNotFound)
	})))
	req := httptest.NewRequest("GET", "/v1/files/fil_X", nil)
	req.Header.Set("Authorization", "Bearer fgk_secret")
	mux.ServeHTTP(httptest.NewRecorder(), req)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 || strings.Contains(buf.String(), "fgk_secret") {
		t.Fatalf("log = %q", buf.String())
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatal(err)
	}
	if entry["status"] != float64(404) || entry["outcome"] != "client_error" || entry["fileId"] != "fil_X" || entry["route"] != "GET /v1/files/{id}" {
		t.Fatalf("entry = %v", entry)
	}
}
