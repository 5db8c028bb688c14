package eventfaults

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// A receiver answering 500 forever: the delivery is retried with backoff
// until its window (shortened to 10 s) has passed, then dead-lettered: the
// endpoint's log shows it failed, every attempt a 500, the last one at
// least the window after the first; and nothing is attempted after that.
func TestReceiverFailingForeverIsDeadLettered(t *testing.T) {
	r := startReceiver(t, 0)
	if err := r.Answer(http.StatusInternalServerError); err != nil {
		t.Fatal(err)
	}
	c := newTenant(t, stack)
	register(t, c, r)
	var eps struct{ Data []struct{ ID string } }
	c.Call("GET", "/v1/webhook-endpoints", nil, &eps)
	files := cancelled(t, c, 1)

	type attempt struct {
		At         time.Time `json:"at"`
		StatusCode *int      `json:"statusCode"`
	}
	var log struct {
		Data []struct {
			FileID        string    `json:"fileId"`
			Status        string    `json:"status"`
			NextAttemptAt *string   `json:"nextAttemptAt"`
			Attempts      []attempt `json:"attempts"`
		} `json:"data"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if st := c.Call("GET", "/v1/webhook-endpoints/"+eps.Data[0].ID+"/deliveries", nil, &log); st != http.StatusOK {
			t.Fatalf("delivery log: %d", st)
		}
		if len(log.Data) == 1 && log.Data[0].Status == "failed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dead letter after 30 s: %+v", log.Data)
		}
		time.Sleep(200 * time.Millisecond)
	}
	d := log.Data[0]
	if d.FileID != files[0] || d.NextAttemptAt != nil || len(d.Attempts) < 4 {
		t.Fatalf("dead letter %+v: want the file's delivery, no next attempt, several attempts", d)
	}
	for _, a := range d.Attempts {
		if a.StatusCode == nil || *a.StatusCode != http.StatusInternalServerError {
			t.Errorf("attempt %+v: want the receiver's 500", a)
		}
	}
	first, last := d.Attempts[len(d.Attempts)-1].At, d.Attempts[0].At // newest first
	if last.Sub(first) < window {
		t.Errorf("dead-lettered %s after the first attempt, before the %s window", last.Sub(first), window)
	}
	ds, _ := r.Deliveries()
	if len(ds) != len(d.Attempts) {
		t.Errorf("the receiver saw %d attempts, the log %d", len(ds), len(d.Attempts))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	<-ctx.Done() // ten sender runs
	if more, _ := r.Deliveries(); len(more) != len(ds) {
		t.Errorf("%d attempts after the dead letter", len(more)-len(ds))
	}
}
