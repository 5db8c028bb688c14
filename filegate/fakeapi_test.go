package filegate_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/filegate/filegate/filegate"
)

// fakeAPI is just enough of the native API, in memory, for the examples to
// run offline: create, a presigned PUT, complete, get, download. It checks
// nothing a real deployment checks beyond the key.
type fakeAPI struct {
	mu    sync.Mutex
	files map[string]*filegate.File
	bytes map[string][]byte
	srv   *httptest.Server
}

func newFakeAPI(key string) *fakeAPI {
	a := &fakeAPI{files: map[string]*filegate.File{}, bytes: map[string][]byte{}}
	mux := http.NewServeMux()
	api := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+key {
				answer(w, http.StatusUnauthorized, errorBody("authentication_error", "invalid_api_key", "the API key is not valid"))
				return
			}
			a.mu.Lock()
			defer a.mu.Unlock()
			h(w, r)
		}
	}
	mux.HandleFunc("POST /v1/files", api(func(w http.ResponseWriter, r *http.Request) {
		var req filegate.CreateRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		id := "0190d3e4-0000-7000-8000-00000000000" + string(rune('1'+len(a.files)))
		f := &filegate.File{ID: id, Status: "PENDING", Filename: req.Filename, MimeType: req.MimeType, SizeBytes: req.SizeBytes}
		a.files[id] = f
		created := *f
		created.UploadURL = a.srv.URL + "/storage/" + id
		created.UploadHeaders = map[string]string{"Content-Type": req.MimeType}
		answer(w, http.StatusOK, created)
	}))
	mux.HandleFunc("PUT /storage/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		defer a.mu.Unlock()
		a.bytes[r.PathValue("id")] = body
	})
	mux.HandleFunc("GET /storage/{id}", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		_, _ = w.Write(a.bytes[r.PathValue("id")])
	})
	file := func(h func(http.ResponseWriter, *filegate.File)) http.HandlerFunc {
		return api(func(w http.ResponseWriter, r *http.Request) {
			f, ok := a.files[r.PathValue("id")]
			if !ok {
				answer(w, http.StatusNotFound, errorBody("not_found_error", "file_not_found", "no such file"))
				return
			}
			h(w, f)
		})
	}
	mux.HandleFunc("GET /v1/files/{id}", file(func(w http.ResponseWriter, f *filegate.File) { answer(w, http.StatusOK, f) }))
	mux.HandleFunc("POST /v1/files/{id}/complete", file(func(w http.ResponseWriter, f *filegate.File) {
		sum := sha256.Sum256(a.bytes[f.ID])
		f.Status, f.SHA256 = "COMPLETED", hex.EncodeToString(sum[:])
		answer(w, http.StatusOK, f)
	}))
	mux.HandleFunc("GET /v1/files/{id}/url", file(func(w http.ResponseWriter, f *filegate.File) {
		answer(w, http.StatusOK, map[string]string{"url": a.srv.URL + "/storage/" + f.ID, "expiresAt": "2030-01-01T00:00:00Z"})
	}))
	a.srv = httptest.NewServer(mux)
	return a
}

func errorBody(typ, code, message string) any {
	return map[string]any{"error": map[string]string{"type": typ, "code": code, "message": message}}
}

func answer(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
