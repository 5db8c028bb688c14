// Package webhookreceiver runs a real webhook receiver for the tests and
// the benchmark: a small Node server (node/receiver.mjs) that verifies
// every delivery with the official standardwebhooks npm package, pinned in
// node/package-lock.json and installed on first use (never committed), and
// refuses (401) what does not verify, as a real receiver must.
package webhookreceiver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Delivery is one request the receiver got, as it recorded it.
type Delivery struct {
	ID        string          `json:"id"`        // webhook-id
	Timestamp string          `json:"timestamp"` // webhook-timestamp
	Signature string          `json:"signature"` // webhook-signature
	UserAgent string          `json:"userAgent"`
	Verified  bool            `json:"verified"` // standardwebhooks verified it
	Secret    string          `json:"secret"`   // the secret that verified it
	Error     string          `json:"error"`    // why it did not verify
	Status    int             `json:"status"`   // what the receiver answered (0: held)
	Received  time.Time       `json:"receivedAt"`
	Payload   json.RawMessage `json:"payload"`
}

// Event is a delivery's payload.
type Event struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	Timestamp      string `json:"timestamp"`
	OrganizationID string `json:"organizationId"`
	ProjectID      string `json:"projectId"`
	Data           struct {
		File struct {
			ID        string `json:"id"`
			Status    string `json:"status"`
			Filename  string `json:"filename"`
			Rejection *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"rejection"`
		} `json:"file"`
		Reason string `json:"reason"`
	} `json:"data"`
}

// Event decodes d's payload.
func (d Delivery) Event() (Event, error) {
	var ev Event
	err := json.Unmarshal(d.Payload, &ev)
	return ev, err
}

// Receiver is a running receiver.
type Receiver struct {
	// Base is its address; HookURL is where deliveries go.
	Base, HookURL string
	cmd           *exec.Cmd
	stderr        *bytes.Buffer
	stopOnce      sync.Once
}

// nodeDir is the Node package beside this file.
func nodeDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "node")
}

// Start installs the receiver's pinned dependencies if needed and starts
// it on 127.0.0.1, on a free port. A missing node or npm is an error saying
// how to get them.
func Start(ctx context.Context) (*Receiver, error) { return StartOn(ctx, 0) }

// StartOn starts it on port (0: a free one), verifying with secrets from
// its first request: a receiver restarted on its port is the same receiver
// to the endpoints registered for it.
func StartOn(ctx context.Context, port int, secrets ...string) (*Receiver, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node is not on PATH: the webhook receiver needs Node.js 20+ with npm (e.g. apt-get install nodejs npm)")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return nil, errors.New("npm is not on PATH: the webhook receiver needs Node.js 20+ with npm (e.g. apt-get install nodejs npm)")
	}
	dir := nodeDir()
	if err := NPMInstall(ctx, npm, dir); err != nil {
		return nil, err
	}
	r := &Receiver{stderr: &bytes.Buffer{}}
	r.cmd = exec.Command(node, "receiver.mjs")
	r.cmd.Dir = dir
	r.cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "SECRETS="+strings.Join(secrets, " "))
	r.cmd.Stderr = r.stderr
	out, err := r.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	listening := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var m struct{ Port int }
			if json.Unmarshal(sc.Bytes(), &m) == nil && m.Port > 0 {
				listening <- m.Port
			}
		}
	}()
	select {
	case p := <-listening:
		r.Base = fmt.Sprintf("http://127.0.0.1:%d", p)
		r.HookURL = r.Base + "/hook"
		return r, nil
	case <-time.After(30 * time.Second):
		r.Stop()
		return nil, fmt.Errorf("the webhook receiver did not start in 30 s: %s", r.stderr.String())
	}
}

// Port is the receiver's port.
func (r *Receiver) Port() int {
	var p int
	_, _ = fmt.Sscanf(r.Base, "http://127.0.0.1:%d", &p)
	return p
}

// Stop ends the receiver.
func (r *Receiver) Stop() {
	r.stopOnce.Do(func() {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	})
}

func (r *Receiver) post(path string, body any) error {
	raw, _ := json.Marshal(body)
	resp, err := http.Post(r.Base+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("receiver %s: %d %s", path, resp.StatusCode, b)
	}
	return nil
}

// SetSecrets gives the receiver the secrets to verify deliveries with;
// until then it refuses every delivery.
func (r *Receiver) SetSecrets(secrets ...string) error {
	return r.post("/control/secrets", map[string]any{"secrets": secrets})
}

// Answer makes the receiver answer every verified delivery with status
// from now on.
func (r *Receiver) Answer(status int) error {
	return r.post("/control/mode", map[string]any{"status": status, "hold": false})
}

// Hold makes the receiver keep deliveries open, unanswered; Answer ends
// that, dropping those held without an answer.
func (r *Receiver) Hold() error { return r.post("/control/mode", map[string]any{"hold": true}) }

// Deliveries is every delivery the receiver got, in order.
func (r *Receiver) Deliveries() ([]Delivery, error) {
	resp, err := http.Get(r.Base + "/control/deliveries")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out []Delivery
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// Wait polls the deliveries until done says so or ctx ends.
func (r *Receiver) Wait(ctx context.Context, done func([]Delivery) bool) ([]Delivery, error) {
	for {
		ds, err := r.Deliveries()
		if err == nil && done(ds) {
			return ds, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
			return ds, err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// NPMInstall runs `npm ci` in dir when node_modules is missing or was
// installed from another package-lock.json (a stamp file records the
// lock's hash).
func NPMInstall(ctx context.Context, npm, dir string) error {
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:])
	stamp := filepath.Join(dir, "node_modules", ".filegate-lock-sha256")
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s failed (it needs the npm registry): %v\n%s", dir, err, strings.TrimSpace(string(out)))
	}
	return os.WriteFile(stamp, []byte(want), 0o644)
}
