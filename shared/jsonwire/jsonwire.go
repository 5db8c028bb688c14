// Package jsonwire holds the JSON conventions both API dialects share, so a
// file's times and a response's encoding read the same through either API.
package jsonwire

import (
	"encoding/json"
	"net/http"
	"time"
)

// Timestamp renders ISO 8601 UTC with milliseconds.
type Timestamp time.Time

// MarshalJSON implements json.Marshaler.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

// Optional is t as a Timestamp, or nil (JSON null).
func Optional(t *time.Time) *Timestamp {
	if t == nil {
		return nil
	}
	v := Timestamp(*t)
	return &v
}

// Write sends v as a JSON response with status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // keep presigned URLs readable: "&", not "\u0026"
	_ = enc.Encode(v)        // the client is gone if this fails
}
