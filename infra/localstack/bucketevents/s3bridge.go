package bucketevents

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// S3Bridge receives MinIO's webhook notifications, whose Records are
// S3-shaped event JSON, and invokes process-upload with them the way S3
// invokes the Lambda. A handler error answers 500, so MinIO keeps the event in
// its queue directory and delivers it again (at least once, as on AWS).
type S3Bridge struct {
	Handler uploadwiring.S3Lambda
	Log     *slog.Logger
}

func (b *S3Bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusOK) // MinIO probes the endpoint
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read failed", http.StatusBadRequest)
		return
	}
	var ev events.S3Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		b.Log.Warn("ignoring malformed notification", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	if len(ev.Records) == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := b.Handler(r.Context(), ev); err != nil {
		b.Log.Error("process-upload failed; MinIO will redeliver", "err", err)
		http.Error(w, "retry", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}
