// Package bucketevents takes MinIO's bucket notifications (the webhook target
// MinIO posts to) and hands them to the S3-triggered function as S3 events, as
// S3's event notification would.
package bucketevents

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// WebhookTarget serves the endpoint MinIO sends bucket events to (the S3
// bridge). Fault tests take it down and bring it back on the same address to
// watch MinIO keep events in its queue directory and deliver them later.
type WebhookTarget struct {
	Handler http.Handler
	mu      sync.Mutex
	addr    string // fixed by the first Up: MinIO was started with it
	srv     *http.Server
}

// Up starts serving (on a free loopback port the first time, on the same
// address afterwards) and returns the endpoint URL.
func (w *WebhookTarget) Up() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.srv != nil {
		return "http://" + w.addr, nil
	}
	addr := w.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("webhook target: listen %s: %w", addr, err)
	}
	w.addr = ln.Addr().String()
	w.srv = &http.Server{Handler: w.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func(srv *http.Server) { _ = srv.Serve(ln) }(w.srv)
	return "http://" + w.addr, nil
}

// Down stops serving: MinIO's deliveries then fail to connect, as when the
// receiver is unreachable.
func (w *WebhookTarget) Down() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.srv == nil {
		return nil
	}
	err := w.srv.Close()
	w.srv = nil
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
