package tokenwiring_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/secretfile"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/tokenwiring"
)

func load(t *testing.T, vars map[string]string) *wiring.Env {
	t.Helper()
	base := map[string]string{"TABLE_NAME": "files", "BUCKET_NAME": "uploads", "AWS_REGION": "us-east-1"}
	e, err := wiring.Load(func(name string) string {
		if v, ok := vars[name]; ok {
			return v
		}
		return base[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// ROOT_SECRET_FILE (the local stack) wins over ROOT_SECRET_ARN; a function
// told neither fails on first use, saying what to set, never at start (the
// functions that verify no token never load it).
func TestRootSecretSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "root-secret")
	if err := secretfile.Ensure(path); err != nil {
		t.Fatal(err)
	}
	want, _ := secretfile.Source{Path: path}.Load(context.Background())
	e := load(t, map[string]string{"ROOT_SECRET_FILE": path, "ROOT_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x", "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:1"})
	key, err := tokenwiring.Keys(e).Signing(context.Background(), time.Now())
	if err != nil || !strings.HasSuffix(key.ID, "-"+want.Current.Tag()) {
		t.Errorf("with ROOT_SECRET_FILE: %v, key %s; want the file's version %s", err, key.ID, want.Current.Tag())
	}
	_, err = tokenwiring.Keys(load(t, nil)).Signing(context.Background(), time.Now())
	if err == nil || !strings.Contains(err.Error(), "ROOT_SECRET_ARN") || !strings.Contains(err.Error(), "ROOT_SECRET_FILE") {
		t.Errorf("without a root secret: %v; want an error naming both settings", err)
	}
}
