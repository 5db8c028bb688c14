// Command dev runs the whole of Filegate locally (`make dev`): DynamoDB Local,
// MinIO and the API on 127.0.0.1:3000, with state kept under .local/.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/auth"
)

// devProject and devOrg are the fixed IDs of the dev key's tenant.
const (
	devOrg     = "00000000-0000-4000-8000-000000000001"
	devProject = "00000000-0000-4000-8000-000000000002"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	addr := os.Getenv("FILEGATE_API_ADDR")
	if addr == "" {
		addr = "127.0.0.1:3000"
	}
	local, err := filepath.Abs(".local")
	if err != nil {
		log.Fatal(err)
	}
	// TTL sweeps and reconcile runs on timers, as AWS runs them.
	st, err := localstack.Start(ctx, localstack.Options{Root: ".", DataDir: local, APIAddr: addr, SweepEvery: 10 * time.Second, ReconcileEvery: 5 * time.Minute, CacheAuthorizations: true})
	if err != nil {
		log.Fatalf("filegate: local stack failed to start: %v", err)
	}
	defer st.Stop()
	key, err := st.MintKey(ctx, devOrg, devProject, auth.ScopeCreate, auth.ScopeRead)
	if err != nil {
		log.Fatalf("filegate: minting the dev key: %v", err)
	}
	if err := writeLocalFiles(local, key, st.Env); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nFilegate is running at %s\n  DynamoDB Local: %s\n  S3 (MinIO behind a checking proxy): %s\n\nDev API key (project %s, also in .local/dev-api-key):\n\n  %s\n\nTry:  curl -s -H \"Authorization: Bearer $(cat .local/dev-api-key)\" %s/v1/files\n\nCtrl-C stops everything; data stays under .local/.\n",
		st.APIURL, st.DynamoDB.Endpoint, st.S3Endpoint, devProject, key, st.APIURL)
	<-ctx.Done()
	fmt.Println("\nfilegate: stopping")
}

// writeLocalFiles saves the dev key and the functions' environment, which
// `make api-key` uses to reach the running stack.
func writeLocalFiles(dir, key string, env map[string]string) error {
	if err := os.WriteFile(filepath.Join(dir, "dev-api-key"), []byte(key+"\n"), 0o600); err != nil {
		return err
	}
	var lines []string
	for k, v := range env {
		lines = append(lines, fmt.Sprintf("export %s=%q", k, v))
	}
	sort.Strings(lines)
	return os.WriteFile(filepath.Join(dir, "env"), []byte(strings.Join(lines, "\n")+"\n"), 0o600)
}
