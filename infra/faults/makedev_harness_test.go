package faults

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/minio"
	"github.com/filegate/filegate/infra/localstack/process"
)

func TestMain(m *testing.M) {
	code := m.Run()
	apitest.RemoveDevBinary()
	os.Exit(code)
}

// devClone is a working directory laid out like a clone for `make dev`:
// template.yaml, and the .local it keeps its data in across runs.
type devClone struct {
	t    *testing.T
	dir  string
	addr string // the API's address, the same for every run as 127.0.0.1:3000 is
	s3   string // storage's, the same for every run as 127.0.0.1:3002 is
	runs int
	env  []string // more environment for every run
	args []string // make dev's flags for the next run
}

// newDevClone prepares a clone-like directory. Whatever the test leaves
// running in it is killed when the test ends, even if it failed.
func newDevClone(t *testing.T) *devClone {
	t.Helper()
	if _, err := exec.LookPath("ps"); err != nil {
		t.Fatalf("these tests find leftover processes with ps: %v (install procps)", err)
	}
	dir := t.TempDir()
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), tmpl, 0o644); err != nil {
		t.Fatal(err)
	}
	port, err := process.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s3Port, err := process.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	d := &devClone{t: t, dir: dir, addr: "127.0.0.1:" + strconv.Itoa(port), s3: "127.0.0.1:" + strconv.Itoa(s3Port)}
	t.Cleanup(func() {
		if left := d.killLeftovers(); len(left) > 0 {
			t.Errorf("processes left running in %s, killed: %q", dir, left)
		}
	})
	return d
}

// devRun is one run of `make dev`.
type devRun struct {
	d       *devClone
	proc    *process.Process
	logPath string
	env     map[string]string // .local/env: the endpoints of this run
	api     *client           // as the dev key's project
}

// start runs `make dev` in the clone and waits (bounded) until it says it is
// running; a start that fails fails the test with the end of its output.
func (d *devClone) start() *devRun {
	d.t.Helper()
	bin, err := apitest.DevBinary()
	if err != nil {
		d.t.Fatal(err)
	}
	d.runs++
	r := &devRun{d: d, logPath: filepath.Join(d.dir, fmt.Sprintf("make-dev-%d.log", d.runs))}
	// Blank ORPHAN_GRACE_SECONDS: `make dev`'s default, whatever other tests set here.
	// Tenants' rate limits far above what these tests offer: they test
	// restarts, not limits (the e2e suite tests those), and the template's
	// 25 writes a second would pace their populating instead.
	r.proc, err = process.StartProcess(context.Background(), "make dev", r.logPath, d.dir,
		append([]string{"FILEGATE_API_ADDR=" + d.addr, "FILEGATE_S3_ADDR=" + d.s3, "FILEGATE_PAGE_ADDR=127.0.0.1:0", "ORPHAN_GRACE_SECONDS=",
			"RATE_LIMIT_WRITE=100000", "RATE_LIMIT_READ=100000", "RATE_LIMIT_SEARCH=100000"}, d.env...), bin, d.args...)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { r.proc.Kill() })
	r.proc.StopTimeout = 2*process.DefaultStopTimeout + 5*time.Second // it stops MinIO and DynamoDB Local in turn
	err = r.proc.WaitReady(context.Background(), 2*process.DefaultReadyTimeout, func(context.Context) error {
		if b, _ := os.ReadFile(r.logPath); !strings.Contains(string(b), "Filegate is running at") {
			return errors.New("not running yet")
		}
		return nil
	})
	if err != nil {
		d.t.Fatalf("make dev run %d did not start: %v", d.runs, err)
	}
	local := filepath.Join(d.dir, ".local")
	key, err := os.ReadFile(filepath.Join(local, "dev-api-key"))
	if err != nil {
		d.t.Fatal(err)
	}
	if r.env, err = readEnvFile(filepath.Join(local, "env")); err != nil {
		d.t.Fatal(err)
	}
	r.api = &client{T: d.t, Client: filegate.Client{Base: "http://" + d.addr, Key: strings.TrimSpace(string(key))}}
	return r
}

// stop stops the run as Ctrl-C does and requires a clean exit.
func (r *devRun) stop() {
	r.d.t.Helper()
	if err := r.proc.Stop(); err != nil {
		r.d.t.Fatal(err)
	}
	if err := r.proc.ExitErr(); err != nil {
		r.d.t.Fatalf("make dev run %d exited with %v after a stop; its output:\n%s", r.d.runs, err, process.TailFile(r.logPath, 20))
	}
}

// kill crashes the whole stack: SIGKILL to `make dev`; MinIO and DynamoDB
// Local must die with it (on Linux they get SIGKILL when their parent dies),
// or they would hold on to the data a restart needs.
func (r *devRun) kill() {
	r.d.t.Helper()
	if err := r.proc.Kill(); err != nil {
		r.d.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(r.d.leftovers()) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if left := r.d.killLeftovers(); len(left) > 0 {
		r.d.t.Fatalf("after SIGKILL of make dev these kept running: %q", left)
	}
}

// audit runs Audit against this run's DynamoDB Local and MinIO.
func (r *devRun) audit(up Uploaded) AuditReport {
	r.d.t.Helper()
	db := (&dynamodblocal.DynamoDB{Endpoint: r.env["AWS_ENDPOINT_URL_DYNAMODB"]}).Client()
	s3c := (&minio.MinIO{Endpoint: r.env["AWS_ENDPOINT_URL_S3"], AccessKey: r.env["AWS_ACCESS_KEY_ID"], SecretKey: r.env["AWS_SECRET_ACCESS_KEY"]}).Client()
	rep, err := Audit(context.Background(), db, s3c, r.env["TABLE_NAME"], r.env["BUCKET_NAME"], up)
	if err != nil {
		r.d.t.Fatal(err)
	}
	reportAudit(r.d.t, rep)
	return rep
}

// leftovers lists processes whose command line names the clone (MinIO and
// DynamoDB Local get their data dirs there), as "pid args".
func (d *devClone) leftovers() []string {
	out, err := exec.Command("ps", "-axo", "pid=,args=").Output()
	if err != nil {
		d.t.Fatalf("ps: %v", err)
	}
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, d.dir) {
			found = append(found, strings.TrimSpace(line))
		}
	}
	return found
}

// killLeftovers SIGKILLs every leftover and returns what it found.
func (d *devClone) killLeftovers() []string {
	left := d.leftovers()
	for _, l := range left {
		if pid, err := strconv.Atoi(strings.Fields(l)[0]); err == nil && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	return left
}

// readEnvFile reads the `export K="v"` lines `make dev` writes to .local/env.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			continue
		}
		if env[k], err = strconv.Unquote(v); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, k, err)
		}
	}
	return env, sc.Err()
}
