// Command dev runs the whole of Filegate locally (`make dev`): DynamoDB Local,
// MinIO and the API on 127.0.0.1:3000, with state kept under .local/.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/uploadpage"
	"github.com/filegate/filegate/shared/files"
)

// devProject and devOrg are the fixed IDs of the dev key's tenant.
const (
	devOrg     = "00000000-0000-4000-8000-000000000001"
	devProject = "00000000-0000-4000-8000-000000000002"
)

func main() {
	newKey := flag.Bool("new-key", false, "replace the dev key (and revoke the old one) instead of keeping it across restarts (make dev NEW_KEY=1)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *newKey); err != nil {
		fmt.Fprintln(os.Stderr, "\nfilegate:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends (Ctrl-C) or the stack gives up on a server
// that keeps crashing, which is an error: the stack stops either way.
func run(ctx context.Context, newKey bool) error {
	addr := cmp.Or(os.Getenv("FILEGATE_API_ADDR"), "127.0.0.1:3000")
	local, err := filepath.Abs(".local")
	if err != nil {
		return err
	}
	restarts, err := restartPolicy()
	if err != nil {
		return err
	}
	if err := uploadpage.Built("web/upload"); err != nil {
		fmt.Fprintf(os.Stderr, "filegate: %v\n", err) // the API works without it
	}
	// The drop-in upload page gets an origin of its own, as a web app's
	// would be, so the browser really makes CORS requests to the API and storage.
	pageAddr := cmp.Or(os.Getenv("FILEGATE_PAGE_ADDR"), "127.0.0.1:3001")
	// Storage has a fixed address too: the presigned URLs a client holds
	// name it, and go on working across a restart.
	s3Addr := cmp.Or(os.Getenv("FILEGATE_S3_ADDR"), "127.0.0.1:3002")
	pageLn, err := net.Listen("tcp", pageAddr)
	if err != nil {
		return fmt.Errorf("the upload page's address: %w", err)
	}
	pageOrigin := "http://" + pageLn.Addr().String()
	// Uploads are scanned for malware by a clamd of the stack's own, unless
	// FILEGATE_SCAN says otherwise (off).
	scan := files.ScanMode(cmp.Or(os.Getenv("FILEGATE_SCAN"), string(files.ScanClamAV)))
	// TTL sweeps and reconcile runs on timers, as AWS runs them; a crashed
	// DynamoDB Local or MinIO is restarted within bounds.
	functionEnv, sendEvery, err := functionSettings()
	if err != nil {
		return err
	}
	st, err := localstack.Start(ctx, localstack.Options{Root: ".", DataDir: local, APIAddr: addr, S3Addr: s3Addr, SweepEvery: 10 * time.Second, ReconcileEvery: 5 * time.Minute, CacheAuthorizations: true,
		AllowedOrigins: []string{pageOrigin}, Supervise: &restarts, Env: functionEnv, SendEvery: sendEvery, Scan: scan})
	if err != nil {
		if scan == files.ScanClamAV {
			return fmt.Errorf("local stack failed to start: %w\n(to run without malware scanning: FILEGATE_SCAN=off make dev)", err)
		}
		return fmt.Errorf("local stack failed to start: %w", err)
	}
	defer st.Stop()
	key, note, err := devKey(ctx, st.Keys(), filepath.Join(local, "dev-api-key"), newKey)
	if err != nil {
		return fmt.Errorf("the dev key: %w", err)
	}
	if err := writeLocalFiles(local, key, st.Env); err != nil {
		return err
	}
	// The page's host mints tokens for its logged-in user only: a one-time
	// login link, printed here and, after each login, a fresh one in
	// .local/page-login-url for the next browser.
	host := &uploadpage.Host{Dir: "web/upload", OpenAPIDir: "openapi", API: filegate.Client{Base: st.APIURL, Key: key}, Origin: pageOrigin}
	loginFile := filepath.Join(local, "page-login-url")
	freshLogin := func() string {
		link := host.LoginURL()
		if err := os.WriteFile(loginFile, []byte(link+"\n"), 0o600); err != nil {
			fmt.Fprintf(os.Stderr, "filegate: writing the page's login link: %v\n", err)
		}
		return link
	}
	host.OnLogin = func() { freshLogin() }
	login := freshLogin()
	go func() { _ = http.Serve(pageLn, host.Handler()) }()
	fmt.Printf("\nUpload page: log in with this one-time link (it opens the page; a fresh link is in .local/page-login-url after each login):\n\n  %s\n", login)
	if st.Clamd != nil {
		fmt.Printf("\nMalware scanning: clamd, with Filegate's test database (EICAR and its test marker). For ClamAV's signatures (docs/operations.md, Malware scanning):\n\n  freshclam --datadir=%s --user=$(id -un) --log=%s --daemon-notify=%s\n",
			st.Clamd.DatabaseDir(), filepath.Join(local, "freshclam.log"), st.Clamd.Config)
	}
	fmt.Printf("\nOpenAPI 3.1: %[1]s/openapi/native.yaml (/v1/files) and %[1]s/openapi/compat.yaml (/api/v1/beta/files)\n", pageOrigin)
	if note != "" {
		fmt.Printf("\nfilegate: %s\n", note)
	}
	fmt.Printf("\nFilegate is running at %s\n  DynamoDB Local: %s\n  S3 (MinIO behind a checking proxy): %s\n\nDev API key (project %s, also in .local/dev-api-key; kept across restarts, make dev NEW_KEY=1 replaces it):\n\n  %s\n\nTry:  curl -s -H \"Authorization: Bearer $(cat .local/dev-api-key)\" %s/v1/files\n\nThe filegate CLI (go install ./cmd/filegate, or go run ./cmd/filegate):\n\n  export FILEGATE_API_URL=%s FILEGATE_API_KEY=$(cat .local/dev-api-key)\n  filegate upload README.md && filegate ls\n\nA crashed DynamoDB Local, MinIO or clamd is restarted (at most %d times in %s). Ctrl-C stops everything; data stays under .local/.\n",
		st.APIURL, st.DynamoDB.Endpoint, st.S3Endpoint, devProject, key, st.APIURL, st.APIURL, restarts.Max, restarts.Window)
	select {
	case <-ctx.Done():
		fmt.Println("\nfilegate: stopping")
		return nil
	case err := <-st.Failed():
		return err
	}
}

// functionSettings are make dev's settings of the functions: webhook
// receivers on 127.0.0.1 are allowed (WEBHOOK_ALLOW_LOOPBACK, which AWS
// never sets), and the retry schedule and the sender's period are AWS's
// unless WEBHOOK_RETRY_FIRST_MS, WEBHOOK_RETRY_MAX_MS,
// WEBHOOK_RETRY_WINDOW_SECONDS, WEBHOOK_TIMEOUT_MS or
// FILEGATE_WEBHOOK_SEND_EVERY (a Go duration) shorten them; tenants' rate
// limits are the template's defaults unless RATE_LIMIT_WRITE, _READ or
// _SEARCH say otherwise (as the deployment's parameters would).
func functionSettings() (map[string]string, time.Duration, error) {
	env := map[string]string{"WEBHOOK_ALLOW_LOOPBACK": "true"}
	for _, k := range []string{"WEBHOOK_RETRY_FIRST_MS", "WEBHOOK_RETRY_MAX_MS", "WEBHOOK_RETRY_WINDOW_SECONDS", "WEBHOOK_TIMEOUT_MS",
		"RATE_LIMIT_WRITE", "RATE_LIMIT_READ", "RATE_LIMIT_SEARCH"} {
		if v := os.Getenv(k); v != "" {
			env[k] = v
		}
	}
	every := time.Minute // the template's rate(1 minute)
	if v := os.Getenv("FILEGATE_WEBHOOK_SEND_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, 0, fmt.Errorf("FILEGATE_WEBHOOK_SEND_EVERY must be a positive duration such as 10s, got %q", v)
		}
		every = d
	}
	return env, every, nil
}

// restartPolicy is the default, or FILEGATE_MAX_RESTARTS and
// FILEGATE_RESTART_WINDOW (a Go duration) where set.
func restartPolicy() (localstack.RestartPolicy, error) {
	p := localstack.DefaultRestartPolicy
	if v := os.Getenv("FILEGATE_MAX_RESTARTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, fmt.Errorf("FILEGATE_MAX_RESTARTS must be a whole number ≥ 0, got %q", v)
		}
		p.Max = n
	}
	if v := os.Getenv("FILEGATE_RESTART_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return p, fmt.Errorf("FILEGATE_RESTART_WINDOW must be a positive duration such as 10m, got %q", v)
		}
		p.Window = d
	}
	return p, nil
}

// writeLocalFiles saves the dev key and the functions' environment, which
// `make api-key` uses to reach the running stack. Clients read them while
// the stack restarts: each is replaced whole, never rewritten in place.
func writeLocalFiles(dir, key string, env map[string]string) error {
	if err := writeFileAtomic(filepath.Join(dir, "dev-api-key"), []byte(key+"\n"), 0o600); err != nil {
		return err
	}
	var lines []string
	for k, v := range env {
		lines = append(lines, fmt.Sprintf("export %s=%q", k, v))
	}
	sort.Strings(lines)
	return writeFileAtomic(filepath.Join(dir, "env"), []byte(strings.Join(lines, "\n")+"\n"), 0o600)
}
