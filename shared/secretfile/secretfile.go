// Package secretfile keeps the root secret (shared/rootsecret) in a file,
// for the local stack and tests: the current version on the first line and,
// after a rotation, the previous one on the second. On AWS the root secret
// is in Secrets Manager (shared/secretsmgr).
package secretfile

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/filegate/filegate/shared/rootsecret"
)

// Source reads the root secret from the file at Path.
type Source struct{ Path string }

var _ rootsecret.Source = Source{}

// Load reads the versions. A file others can read is refused, as ssh
// refuses such a key: the secret signs every upload token.
func (s Source) Load(context.Context) (rootsecret.Versions, error) {
	st, err := os.Stat(s.Path)
	if err != nil {
		return rootsecret.Versions{}, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return rootsecret.Versions{}, fmt.Errorf("%s is readable by others (mode %s): chmod 600 it", s.Path, st.Mode().Perm())
	}
	raw, err := os.ReadFile(s.Path)
	if err != nil {
		return rootsecret.Versions{}, err
	}
	lines := bytes.Split(bytes.TrimRight(raw, "\n"), []byte("\n"))
	if len(lines) > 2 {
		return rootsecret.Versions{}, fmt.Errorf("%s: %d lines; want the current version, then at most the previous one", s.Path, len(lines))
	}
	var previous []byte
	if len(lines) == 2 {
		previous = lines[1]
	}
	vs, err := rootsecret.Parse(lines[0], previous)
	if err != nil {
		return vs, fmt.Errorf("%s: %w", s.Path, err)
	}
	return vs, nil
}

// Ensure creates the file with a fresh secret unless it exists. It is
// written whole to a temporary file (mode 0600) and linked into place, so
// no reader sees it half-written and, of two concurrent first starts, one
// secret wins and both use it.
func Ensure(path string) error {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := writeTemp(path, fresh()+"\n")
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}

// Rotate makes a fresh secret current and the current one previous,
// replacing the file atomically (rename). What the previous version signed
// keeps verifying; a second rotation retires it.
func Rotate(path string) error {
	if _, err := (Source{Path: path}).Load(context.Background()); err != nil {
		return err // a file that does not load is not rotated
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	current, _, _ := bytes.Cut(raw, []byte("\n"))
	tmp, err := writeTemp(path, fresh()+"\n"+string(current)+"\n")
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// fresh is a new secret: 48 random bytes, 64 URL-safe characters.
func fresh() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return base64.RawURLEncoding.EncodeToString(b)
}

// writeTemp writes content to a new file (mode 0600) beside path, synced.
func writeTemp(path, content string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(content) // CreateTemp's mode is 0600
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
