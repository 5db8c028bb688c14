package eventfaults

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack/process"
	"github.com/filegate/filegate/infra/webhookreceiver"
)

// devStack is `make dev` in a clone-like directory of its own, with the
// shortened schedule; runs after the first keep the data under .local.
type devStack struct {
	t         *testing.T
	dir, addr string
	s3        string
	runs      int
}

func newDevStack(t *testing.T) *devStack {
	t.Helper()
	dir := t.TempDir()
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), tmpl, 0o644); err != nil {
		t.Fatal(err)
	}
	ports, err := process.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	return &devStack{t: t, dir: dir, addr: "127.0.0.1:" + strconv.Itoa(ports[0]), s3: "127.0.0.1:" + strconv.Itoa(ports[1])}
}

// start runs `make dev` and waits until it says it runs; it returns the
// process and a client of the dev key's project (which may manage webhooks).
func (d *devStack) start() (*process.Process, *apitest.Tenant) {
	d.t.Helper()
	bin, err := apitest.DevBinary()
	if err != nil {
		d.t.Fatal(err)
	}
	d.runs++
	logPath := filepath.Join(d.dir, fmt.Sprintf("make-dev-%d.log", d.runs))
	env := []string{"FILEGATE_API_ADDR=" + d.addr, "FILEGATE_S3_ADDR=" + d.s3, "FILEGATE_PAGE_ADDR=127.0.0.1:0", "FILEGATE_WEBHOOK_SEND_EVERY=200ms"}
	for k, v := range schedule(60 * time.Second) {
		env = append(env, k+"="+v)
	}
	p, err := process.StartProcess(context.Background(), "make dev", logPath, d.dir, env, bin)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { _ = p.Kill() })
	err = p.WaitReady(context.Background(), 2*process.DefaultReadyTimeout, func(context.Context) error {
		if b, _ := os.ReadFile(logPath); !strings.Contains(string(b), "Filegate is running at") {
			return errors.New("not running yet")
		}
		return nil
	})
	if err != nil {
		d.t.Fatalf("make dev run %d did not start: %v", d.runs, err)
	}
	key, err := os.ReadFile(filepath.Join(d.dir, ".local", "dev-api-key"))
	if err != nil {
		d.t.Fatal(err)
	}
	return p, &apitest.Tenant{T: d.t, Client: filegate.Client{Base: "http://" + d.addr, Key: strings.TrimSpace(string(key))}}
}

// The whole stack (`make dev`: API, functions, DynamoDB Local, MinIO) is
// SIGKILLed while deliveries are in flight (the receiver holds them,
// unanswered) and started again on its data: every event is delivered,
// verified, and none twice with different ids. What was recorded before the
// kill is retried from DynamoDB; what was not is read again from the
// stream after the events feed's kept position.
func TestStackKilledMidDeliveryLosesNothing(t *testing.T) {
	began := time.Now()
	d := newDevStack(t)
	proc, c := d.start()
	t.Logf("make dev started in %s", time.Since(began).Round(time.Millisecond))
	r := startReceiver(t, 0)
	secret := register(t, c, r)
	if err := r.Hold(); err != nil {
		t.Fatal(err)
	}
	files := cancelled(t, c, 8)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	if _, err := r.Wait(ctx, func(ds []webhookreceiver.Delivery) bool { return len(ds) >= 3 }); err != nil {
		t.Fatalf("no deliveries in flight to kill the stack in: %v", err)
	}
	if err := proc.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := r.Answer(204); err != nil { // drops the held requests unanswered
		t.Fatal(err)
	}
	restart := time.Now()
	d.start()
	t.Logf("make dev restarted on its data in %s", time.Since(restart).Round(time.Millisecond))
	if err := r.SetSecrets(secret); err != nil {
		t.Fatal(err)
	}
	checkEveryEventOnce(t, r, files, 40*time.Second)
}
