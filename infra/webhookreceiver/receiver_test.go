package webhookreceiver

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/webhooksend"
)

// The receiver acknowledges only what it verified, as a real one must: a
// delivery it cannot verify (no secret given yet, or signed with another)
// is refused and recorded, so the sender retries it rather than counting
// it delivered; started with its secret, it verifies from its first
// request. A receiver restarted and then given its secret once answered
// 204 to a retry that came in between, and the test waiting for verified
// deliveries never saw that event (eventfaults' TestReceiverDownThenUp
// failed on it).
func TestReceiverAcknowledgesOnlyVerifiedDeliveries(t *testing.T) {
	key, other := make([]byte, 24), make([]byte, 24)
	_, _ = rand.Read(key)
	_, _ = rand.Read(other)
	secret := "whsec_" + base64.StdEncoding.EncodeToString(key)
	r := start(t)
	if st := postSigned(t, r.HookURL, key); st/100 == 2 {
		t.Errorf("before it has a secret: %d, want a refusal", st)
	}
	if err := r.SetSecrets(secret); err != nil {
		t.Fatal(err)
	}
	if st := postSigned(t, r.HookURL, key); st != http.StatusNoContent {
		t.Errorf("signed with its secret: %d, want 204", st)
	}
	if st := postSigned(t, r.HookURL, other); st/100 == 2 {
		t.Errorf("signed with another secret: %d, want a refusal", st)
	}
	ds, err := r.Deliveries()
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	for _, d := range ds {
		got = append(got, d.Verified && d.Status/100 == 2)
	}
	if len(got) != 3 || got[0] || !got[1] || got[2] {
		t.Errorf("recorded %d deliveries, verified and acknowledged %v; want [false true false]", len(ds), got)
	}
	if st := postSigned(t, start(t, secret).HookURL, key); st != http.StatusNoContent {
		t.Errorf("first request to a receiver started with its secret: %d, want 204", st)
	}
}

func start(t *testing.T, secrets ...string) *Receiver {
	t.Helper()
	r, err := StartOn(t.Context(), 0, secrets...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// postSigned posts a delivery signed with key, as Filegate's sender signs,
// and returns the receiver's status.
func postSigned(t *testing.T, url string, key []byte) int {
	t.Helper()
	body, now := []byte(`{"type":"file.cancelled","data":{}}`), time.Now()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("webhook-id", "msg_1")
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", webhooksend.Signature([][]byte{key}, "msg_1", now, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
