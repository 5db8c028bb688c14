// Package perbinary shares one local server (DynamoDB Local, MinIO, clamd) among
// the tests of one test binary: the first test that needs it starts it in a
// temporary folder, the binary's TestMain stops it. Adapter kits use it so
// each test pays for a table or a bucket, not for a server.
package perbinary

import (
	"os"
	"sync"
	"testing"
)

// Server is one test binary's server of type T.
type Server[T interface{ Stop() error }] struct {
	once    sync.Once
	srv     T
	err     error
	dir     string
	started bool
}

// Get is the server, started by start (given a fresh folder) the first
// time; if it could not start, tb fails with failure, which says what to
// install, and the error.
func (s *Server[T]) Get(tb testing.TB, failure string, start func(dir string) (T, error)) T {
	tb.Helper()
	s.once.Do(func() {
		if s.dir, s.err = os.MkdirTemp("", "filegate-test-"); s.err != nil {
			return
		}
		s.srv, s.err = start(s.dir)
		s.started = s.err == nil
	})
	if s.err != nil {
		tb.Fatalf("%s: %v", failure, s.err)
	}
	return s.srv
}

// Stop stops the server if a test started it and removes its folder; a
// TestMain calls it after m.Run.
func (s *Server[T]) Stop() {
	if s.started {
		_ = s.srv.Stop()
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}
