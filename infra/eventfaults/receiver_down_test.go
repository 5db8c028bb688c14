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
	down := time.Now()
	files := cancelled(t, c, 10)
	// First attempts and some retries meet a closed port; the receiver is
	// back 2 s after it went (or once the cancels are done), in the window.
	time.Sleep(time.Until(down.Add(2 * time.Second)))
	back := startReceiver(t, port, secret) // it verifies from its first request
	checkEveryEventOnce(t, back, files, 30*time.Second)
}
