package lambdaruntime

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"
)

// BuildFlags are the Makefile's `go build` flags for a bootstrap;
// the template test checks that the Makefile still uses exactly these.
var BuildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"}

// FunctionDir is the functions/ directory of a template function:
// kebab-case of its logical ID without "Function" (FileUrlFunction → file-url).
func FunctionDir(logicalID string) string {
	var b strings.Builder
	for i, c := range strings.TrimSuffix(logicalID, "Function") {
		if unicode.IsUpper(c) {
			if i > 0 {
				b.WriteByte('-')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// BuildFunction builds ./functions/<dir> for the host, with the Makefile's
// flags, into a new temporary directory; remove filepath.Dir(binary) when done.
func BuildFunction(ctx context.Context, dir string) (binary string, err error) {
	out, err := os.MkdirTemp("", "filegate-"+dir+"-")
	if err != nil {
		return "", err
	}
	bins, err := BuildFunctions(ctx, out, dir)
	if err != nil {
		os.RemoveAll(out)
		return "", err
	}
	// Keep the layout flat so filepath.Dir(binary) is the whole temp dir.
	flat := filepath.Join(out, "bootstrap")
	if err := os.Rename(bins[dir], flat); err != nil {
		os.RemoveAll(out)
		return "", err
	}
	return flat, nil
}

// BuildFunctions builds several functions with one `go build` (it compiles
// shared packages once and links in parallel) into outDir/<dir>/bootstrap,
// and returns those paths by dir.
func BuildFunctions(ctx context.Context, outDir string, dirs ...string) (map[string]string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("lambdaruntime: the go command is needed to build functions: %w", err)
	}
	root, err := moduleRoot(ctx, goBin)
	if err != nil {
		return nil, err
	}
	staging := filepath.Join(outDir, ".build")
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return nil, err
	}
	args := append([]string{"build"}, BuildFlags...)
	args = append(args, "-o", staging+string(filepath.Separator))
	for _, d := range dirs {
		args = append(args, "./functions/"+d)
	}
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = root
	// Host OS/arch (the Makefile's linux/arm64 would not run here); no cgo, as on Lambda.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("lambdaruntime: go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	bins := make(map[string]string, len(dirs))
	for _, d := range dirs {
		dst := filepath.Join(outDir, d)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return nil, err
		}
		// go build names each binary after its package directory.
		if err := os.Rename(filepath.Join(staging, d+exeSuffix()), filepath.Join(dst, "bootstrap")); err != nil {
			return nil, err
		}
		bins[d] = filepath.Join(dst, "bootstrap")
	}
	return bins, os.RemoveAll(staging)
}

func moduleRoot(ctx context.Context, goBin string) (string, error) {
	out, err := exec.CommandContext(ctx, goBin, "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("lambdaruntime: not inside the Filegate module (go env GOMOD = %q, %v)", gomod, err)
	}
	return filepath.Dir(gomod), nil
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// StartFunction starts a Runtime and the bootstrap binary against it, with
// the environment Lambda gives a provided.al2023 function, then env on top
// (KEY=VALUE; later values win). The process gets no other variables of
// ours, as on Lambda. It runs until ctx is done or the Runtime is closed;
// don't Wait on the returned Cmd (the Runtime does, and reports an exit as
// Runtime.ExitError to Invoke).
func StartFunction(ctx context.Context, binary string, env []string) (*Runtime, *exec.Cmd, error) {
	r, err := New()
	if err != nil {
		return nil, nil, err
	}
	name, region := "function", "us-east-1"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "AWS_LAMBDA_FUNCTION_NAME="); ok {
			name = v
		}
		if v, ok := strings.CutPrefix(kv, "AWS_REGION="); ok {
			region = v
		}
	}
	r.FunctionARN = fmt.Sprintf("arn:aws:lambda:%s:000000000000:function:%s", region, name)
	dir := filepath.Dir(binary)
	cmd := exec.Command(binary)
	cmd.Dir = dir // Lambda starts the bootstrap in /var/task, where it lives
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + r.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + newRequestID()[:8],
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		"_HANDLER=bootstrap",
		"LAMBDA_TASK_ROOT=" + dir,
		"LAMBDA_RUNTIME_DIR=/var/runtime",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	}, env...)
	p := &process{cmd: cmd, exited: make(chan struct{}), logs: &tailBuffer{max: 1 << 20}}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		r.Close()
		return nil, nil, fmt.Errorf("lambdaruntime: start %s: %w", binary, err)
	}
	r.proc = p
	go func() {
		err := cmd.Wait()
		close(p.exited)
		msg := "Runtime exited without providing a reason"
		if err != nil {
			msg = "Runtime exited with error: " + err.Error()
		}
		r.die(&ErrorResponse{Type: "Runtime.ExitError", Message: msg})
	}()
	go func() {
		select {
		case <-ctx.Done():
			r.Close()
		case <-r.closed:
		}
	}()
	return r, cmd, nil
}

// ProcessStart is when StartFunction started the process (zero otherwise):
// FirstPollAt minus ProcessStart is the function's cold-start init.
func (r *Runtime) ProcessStart() time.Time {
	if r.proc == nil {
		return time.Time{}
	}
	return r.proc.started
}

// Logs returns what the function process wrote to stdout and stderr (its
// CloudWatch log, up to the last MiB).
func (r *Runtime) Logs() string {
	if r.proc == nil {
		return ""
	}
	return r.proc.logs.String()
}

// Exited is closed once the function process has exited (nil without one).
func (r *Runtime) Exited() <-chan struct{} {
	if r.proc == nil {
		return nil
	}
	return r.proc.exited
}

type process struct {
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{}
	logs    *tailBuffer
}

// kill ends the process the way Lambda ends an environment: SIGKILL.
func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
