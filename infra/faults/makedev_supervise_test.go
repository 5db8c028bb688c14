package faults

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack/process"
)

// recoveryBound is how soon after a crash of DynamoDB Local or MinIO the
// API must serve again with nobody restarting anything: `make dev` restarts
// a crashed server after a second, and it is ready some seconds later
// (DynamoDB Local's JVM takes longest, about 15 s on a busy 2-core machine);
// docs/recovery.md "The local stack" states the same bound.
const recoveryBound = 60 * time.Second

// TestMakeDevRestartsACrashedDynamoDBAndMinIO SIGKILLs DynamoDB Local and
// then MinIO under a running `make dev`. Each time the API must serve again
// within recoveryBound on its own: DynamoDB Local comes back on its data
// (earlier files listed) and its stream feeds the counts again; MinIO comes
// back on the same address with its objects (the audit reads every file's
// bytes) and its bucket notification (a new upload is COMPLETED by its S3
// event alone). The log names each restart.
func TestMakeDevRestartsACrashedDynamoDBAndMinIO(t *testing.T) {
	const files = 6
	d := newDevClone(t)
	up := &Uploads{}
	r := d.start()
	populate(t, r.api, up, files)
	want := files
	waitTotalCount(t, r.api, want)

	// DynamoDB Local.
	d.crash("DynamoDBLocal.jar")
	took := waitServing(t, "the API after a crash of DynamoDB Local", func() bool {
		var l filegate.Page
		st, _ := r.api.Do("GET", "/v1/files?limit=25", nil, &l)
		return st == http.StatusOK && len(l.Data) == files
	})
	t.Logf("after SIGKILL of DynamoDB Local, the API listed every earlier file again in %s", took.Round(time.Millisecond))
	id, err := upload(r.api, up, uniquePDF(100))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, r.api, id, "COMPLETED") // its S3 event, through process-upload, to the table
	want++
	waitTotalCount(t, r.api, want) // the stream feeds the counters again

	// MinIO.
	before := d.processArgs("minio server")
	d.crash("minio server")
	body := uniquePDF(101)
	f := create(r.api, body)
	up.Add(f.ID, body)
	want++
	took = waitServing(t, "storage after a crash of MinIO", func() bool {
		st, err := apitest.PutWith(context.Background(), nil, f.UploadURL, f.UploadHeaders, bytes.NewReader(body), int64(len(body)))
		return err == nil && (st == http.StatusOK || st == http.StatusPreconditionFailed)
	})
	t.Logf("after SIGKILL of MinIO, storage took an upload again in %s", took.Round(time.Millisecond))
	if after := d.processArgs("minio server"); after != before {
		t.Errorf("MinIO came back as %q; before the crash it ran as %q (same address and data)", after, before)
	}
	waitFor(t, r.api, f.ID, "COMPLETED") // its S3 event: the notification target is back
	body = uniquePDF(102)
	if id, err = upload(r.api, up, body); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r.api, id, "COMPLETED")
	want++
	waitTotalCount(t, r.api, want)
	r.audit(up) // every COMPLETED file's object holds its bytes

	log, _ := os.ReadFile(r.logPath)
	for _, name := range []string{"dynamodb-local", "minio"} {
		if !regexp.MustCompile(name + `.*(crashed|exited).*restart`).Match(log) {
			t.Errorf("the make dev log names no restart of %s", name)
		}
	}
	r.stop()
}

// TestMakeDevRestartsACrashedClamd SIGKILLs the clamd `make dev` scans
// uploads with: it comes back by itself within recoveryBound (a new process,
// with the same generated config), and a new upload is scanned and
// COMPLETED. The log names the restart.
func TestMakeDevRestartsACrashedClamd(t *testing.T) {
	const marker = "clamd --foreground"
	d := newDevClone(t)
	up := &Uploads{}
	r := d.start()
	before, args := d.pidOf(marker), d.processArgs(marker)
	if before == 0 {
		t.Fatal("make dev runs no clamd")
	}
	d.crash(marker)
	took := waitServing(t, "clamd after its crash", func() bool {
		log, _ := os.ReadFile(r.logPath)
		pid := d.pidOf(marker)
		return pid != 0 && pid != before && regexp.MustCompile(`clamd restarted`).Match(log)
	})
	t.Logf("after SIGKILL of clamd, it was back in %s", took.Round(time.Millisecond))
	if after := d.processArgs(marker); after != args {
		t.Errorf("clamd came back as %q; before the crash it ran as %q", after, args)
	}
	id, err := upload(r.api, up, uniquePDF(200))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, r.api, id, "COMPLETED") // scanned by the restarted clamd
	r.audit(up)
	r.stop()
}

// TestMakeDevStopsLoudlyPastItsRestartBound runs `make dev` allowed one
// restart (FILEGATE_MAX_RESTARTS=1) and SIGKILLs MinIO twice: the first
// crash is restarted, the second stops the whole stack with a non-zero exit
// and a message that says what happened and where MinIO's log is.
func TestMakeDevStopsLoudlyPastItsRestartBound(t *testing.T) {
	d := newDevClone(t)
	d.env = []string{"FILEGATE_MAX_RESTARTS=1"}
	r := d.start()
	first := d.crash("minio server")
	deadline := time.Now().Add(recoveryBound)
	for pid := d.pidOf("minio server"); pid == 0 || pid == first; pid = d.pidOf("minio server") {
		if time.Now().After(deadline) {
			t.Fatalf("MinIO was not restarted within %s of its crash; make dev's log:\n%s", recoveryBound, process.TailFile(r.logPath, 30))
		}
		time.Sleep(100 * time.Millisecond)
	}
	addr := regexp.MustCompile(`--address (\S+)`).FindStringSubmatch(d.processArgs("minio server"))
	if addr == nil {
		t.Fatalf("MinIO runs without --address: %q", d.processArgs("minio server"))
	}
	waitServing(t, "MinIO after its first crash", func() bool {
		resp, err := http.Get("http://" + addr[1] + "/minio/health/cluster")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	d.crash("minio server")
	select {
	case <-r.proc.Done():
	case <-time.After(recoveryBound):
		t.Fatalf("make dev still runs %s after a crash past its restart bound; its log:\n%s", recoveryBound, process.TailFile(r.logPath, 30))
	}
	if r.proc.ExitErr() == nil {
		t.Errorf("make dev exited with status 0 after giving up on MinIO")
	}
	log, _ := os.ReadFile(r.logPath)
	t.Logf("make dev's last words:\n%s", process.TailFile(r.logPath, 40))
	if !regexp.MustCompile(`filegate: minio crashed .*stopping the stack; its log is \S*\.local/minio\.log`).Match(log) {
		t.Errorf("make dev's last words do not say that MinIO crashed past the bound, that it stops, and where MinIO's log is:\n%s", process.TailFile(r.logPath, 30))
	}
	deadline = time.Now().Add(10 * time.Second)
	for len(d.leftovers()) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if left := d.leftovers(); len(left) > 0 {
		t.Errorf("still running after make dev stopped: %q", left)
	}
}

// TestMakeDevKeepsItsKeyAndWritesItWhole starts `make dev` five times
// while readers read .local/dev-api-key as fast as they can: none may see
// it empty or partial. A stop and a SIGKILL keep the key; -new-key (make
// dev NEW_KEY=1) replaces it and revokes the old one; a key the table lost
// is replaced, and the log says so.
func TestMakeDevKeepsItsKeyAndWritesItWhole(t *testing.T) {
	d := newDevClone(t)
	path := filepath.Join(d.dir, ".local", "dev-api-key")
	whole := regexp.MustCompile(`^fgk_[A-Za-z0-9_-]{43}\n$`)
	var (
		mu    sync.Mutex
		bad   []string
		reads int
		wg    sync.WaitGroup
	)
	done := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				b, err := os.ReadFile(path)
				mu.Lock()
				reads++
				if err == nil && !whole.Match(b) || err != nil && !os.IsNotExist(err) {
					bad = append(bad, strconv.Quote(string(b))+" "+errString(err))
				}
				mu.Unlock()
				time.Sleep(100 * time.Microsecond) // thousands of reads a second, and CPU left for make dev
			}
		}()
	}
	stopReaders := func() {
		close(done)
		wg.Wait()
		t.Logf("%d reads of the key file", reads)
		if len(bad) > 0 {
			t.Errorf("%d reads saw the key file empty, partial or unreadable, e.g. %v", len(bad), bad[:min(len(bad), 5)])
		}
	}
	defer func() {
		select {
		case <-done:
		default:
			stopReaders()
		}
	}()

	r := d.start()
	key := r.api.Key
	r.stop()
	r = d.start()
	if r.api.Key != key {
		t.Errorf("a restart replaced the dev key")
	}
	r.expectKey(key, http.StatusOK)
	r.kill()
	r = d.start()
	if r.api.Key != key {
		t.Errorf("a restart after a SIGKILL replaced the dev key")
	}
	r.expectKey(key, http.StatusOK)
	r.stop()

	d.args = []string{"-new-key"}
	r = d.start()
	d.args = nil
	if r.api.Key == key {
		t.Errorf("-new-key kept the old key")
	}
	r.expectKey(r.api.Key, http.StatusOK)
	r.expectKey(key, http.StatusUnauthorized, http.StatusForbidden) // revoked
	key = r.api.Key
	r.stop()

	if err := os.RemoveAll(filepath.Join(d.dir, ".local", "dynamodb")); err != nil {
		t.Fatal(err)
	}
	r = d.start()
	if r.api.Key == key {
		t.Errorf("make dev kept a key its table no longer holds")
	}
	r.expectKey(r.api.Key, http.StatusOK)
	if log, _ := os.ReadFile(r.logPath); !bytes.Contains(log, []byte("not in the table")) {
		t.Errorf("make dev replaced a key the table lost without saying so:\n%s", process.TailFile(r.logPath, 30))
	}
	r.stop()
	stopReaders()
}

// expectKey checks that a list as key answers one of the statuses.
func (r *devRun) expectKey(key string, statuses ...int) {
	r.d.t.Helper()
	c := filegate.Client{Base: r.api.Base, Key: key}
	res, err := apitest.Do(context.Background(), &c, "GET", "/v1/files?limit=1", nil, nil)
	if err != nil {
		r.d.t.Fatal(err)
	}
	for _, s := range statuses {
		if res.Status == s {
			return
		}
	}
	r.d.t.Errorf("GET /v1/files with key %s…: %d, want one of %v", key[:8], res.Status, statuses)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// waitServing polls ok until it holds and returns how long that took; it
// fails the test after recoveryBound.
func waitServing(t *testing.T, what string, ok func() bool) time.Duration {
	t.Helper()
	began := time.Now()
	for !ok() {
		if time.Since(began) > recoveryBound {
			t.Fatalf("%s: not serving again %s after the crash", what, recoveryBound)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(began)
}

// pidOf is the process of this clone whose command line contains marker
// (0: none).
func (d *devClone) pidOf(marker string) int {
	for _, l := range d.leftovers() {
		if strings.Contains(l, marker) {
			pid, _ := strconv.Atoi(strings.Fields(l)[0])
			return pid
		}
	}
	return 0
}

// processArgs is the command line of this clone's process marker names.
func (d *devClone) processArgs(marker string) string {
	for _, l := range d.leftovers() {
		if strings.Contains(l, marker) {
			_, args, _ := strings.Cut(l, " ")
			return args
		}
	}
	return ""
}

// crash SIGKILLs this clone's process marker names, as a crash would, and
// returns its pid.
func (d *devClone) crash(marker string) int {
	d.t.Helper()
	pid := d.pidOf(marker)
	if pid == 0 {
		d.t.Fatalf("no %q process runs in %s", marker, d.dir)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		d.t.Fatal(err)
	}
	return pid
}
