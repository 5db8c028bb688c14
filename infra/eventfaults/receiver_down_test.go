package eventfaults

import (
	"testing"
	"time"
)

// A receiver that is down (its process gone: connections refused) while
// events happen, then comes back on its address: every event is
// delivered, verified, and none twice with different ids.
func TestReceiverDownThenUp(t *testing.T) {
	r := startReceiver(t, 0)
	c := newTenant(t, stack)
	secret := register(t, c, r)
	port := r.Port()
	r.Stop()
	files := cancelled(t, c, 10)
	time.Sleep(2 * time.Second) // first attempts and some retries meet a closed port (within the window)
	back := startReceiver(t, port)
	if err := back.SetSecrets(secret); err != nil {
		t.Fatal(err)
	}
	checkEveryEventOnce(t, back, files, 30*time.Second)
}
