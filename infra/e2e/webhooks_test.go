package e2e

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/webhookreceiver"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/fileevents"
)

// endpoint is a webhook endpoint as the API answers it.
type endpoint struct {
	Object                  string   `json:"object"`
	ID                      string   `json:"id"`
	URL                     string   `json:"url"`
	EventTypes              []string `json:"eventTypes"`
	CreatedAt               string   `json:"createdAt"`
	SecretVersion           int      `json:"secretVersion"`
	PreviousSecretExpiresAt *string  `json:"previousSecretExpiresAt"`
	Secret                  string   `json:"secret"`
}

var allEventTypes = []string{"file.completed", "file.rejected", "file.cancelled", "file.expired", "file.deleted"}

// receiver starts the Node receiver (standardwebhooks) for the test.
func receiver(t *testing.T) *webhookreceiver.Receiver {
	t.Helper()
	r, err := webhookreceiver.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// webhooksTenant is a project whose key may manage webhooks.
func webhooksTenant(t *testing.T) *tenant {
	return newTenant(t, auth.ScopeCreate, auth.ScopeRead, auth.ScopeWebhooks)
}

// register registers url for types and gives the receiver the secret.
func (c *tenant) register(r *webhookreceiver.Receiver, types ...string) endpoint {
	c.T.Helper()
	var e endpoint
	if st := c.Call("POST", "/v1/webhook-endpoints", map[string]any{"url": r.HookURL, "eventTypes": types}, &e); st != http.StatusCreated {
		c.T.Fatalf("register: %d %+v", st, e)
	}
	if !strings.HasPrefix(e.Secret, "whsec_") || e.ID == "" || e.SecretVersion != 1 {
		c.T.Fatalf("registered endpoint %+v: want an id and a whsec_ secret", e)
	}
	if err := r.SetSecrets(e.Secret); err != nil {
		c.T.Fatal(err)
	}
	return e
}

// expire lets a PENDING file's upload window pass: it moves the record's
// window end (and its place in reconcile's index) two minutes into the past,
// as time would, then runs the scheduled reconcile, which stores EXPIRED.
func expire(t *testing.T, projectID, id string) {
	t.Helper()
	past := time.Now().Add(-2 * time.Minute)
	key := map[string]ddbtypes.AttributeValue{
		"pk": &ddbtypes.AttributeValueMemberS{Value: "P#" + projectID}, "sk": &ddbtypes.AttributeValueMemberS{Value: "F#" + id},
	}
	_, err := stack.DynamoClient().UpdateItem(t.Context(), &dynamodb.UpdateItemInput{
		TableName:                 aws.String(localstack.TableName),
		Key:                       key,
		UpdateExpression:          aws.String("SET uploadExpiresAt = :past, rat = :ms"),
		ConditionExpression:       aws.String("attribute_exists(rpk)"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":past": &ddbtypes.AttributeValueMemberS{Value: past.UTC().Format(time.RFC3339Nano)}, ":ms": &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(past.UnixMilli(), 10)}},
	})
	if err != nil {
		t.Fatalf("aging the session: %v", err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		rep, err := stack.Reconcile(t.Context(), events.EventBridgeEvent{})
		if err != nil {
			t.Fatal(err)
		}
		// (A Busy run met the scheduled one, which expires the file too.)
		out, err := stack.DynamoClient().GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(localstack.TableName), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if st, ok := out.Item["status"].(*ddbtypes.AttributeValueMemberS); ok && st.Value == "EXPIRED" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("reconcile did not store EXPIRED for %s (last run %+v)", id, rep)
		}
	}
}

// want is an event a test waits for: its type, file and (deleted) reason.
type want struct{ typ, file, reason string }

// waitEvents waits (bounded) until the receiver holds every wanted event,
// each verified by standardwebhooks, and returns the deliveries.
func waitEvents(t *testing.T, r *webhookreceiver.Receiver, wants []want) []webhookreceiver.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ds, err := r.Wait(ctx, func(ds []webhookreceiver.Delivery) bool {
		for _, w := range wants {
			if !slices.ContainsFunc(ds, func(d webhookreceiver.Delivery) bool { return matches(d, w) }) {
				return false
			}
		}
		return true
	})
	if err != nil {
		for _, w := range wants {
			if !slices.ContainsFunc(ds, func(d webhookreceiver.Delivery) bool { return matches(d, w) }) {
				t.Errorf("no %s of %s (reason %q) arrived", w.typ, w.file, w.reason)
			}
		}
		t.Fatalf("waiting for events: %v; received %d deliveries", err, len(ds))
	}
	return ds
}

func matches(d webhookreceiver.Delivery, w want) bool {
	ev, err := d.Event()
	return err == nil && ev.Type == w.typ && ev.Data.File.ID == w.file && ev.Data.Reason == w.reason
}

// Every event type reaches a real receiver, and the official
// standardwebhooks package verifies every delivery: completed, rejected
// (with its reason), cancelled, expired, deleted through the API and by
// retention (TTL). Each payload is the file as the native API shows it,
// with the event's id (also its webhook-id), type, time, org and project.
func TestWebhooksDeliverEveryEventTypeVerified(t *testing.T) {
	// Not parallel: the retention delete needs a sweep, which is global.
	r := receiver(t)
	c := webhooksTenant(t)
	ep := c.register(r, allEventTypes...)

	completed := c.upload("done.pdf", pdfBytes)
	rejected := c.Create("fake.pdf", "application/pdf", 5, "")
	if put(t, rejected.UploadURL, rejected.UploadHeaders, []byte("hello")) != http.StatusOK {
		t.Fatal("PUT of the rejected file")
	}
	if st := c.Call("POST", "/v1/files/"+rejected.ID+"/complete", map[string]any{}, nil); st != http.StatusUnprocessableEntity {
		t.Fatalf("complete of a non-PDF declared PDF: %d, want 422", st)
	}
	cancelled := c.Create("gone.pdf", "application/pdf", len(pdfBytes), "")
	if st := c.Call("POST", "/v1/files/"+cancelled.ID+"/cancel", map[string]any{}, nil); st != http.StatusOK {
		t.Fatalf("cancel: %d", st)
	}
	expired := c.Create("late.pdf", "application/pdf", len(pdfBytes), "")
	expire(t, c.ProjectID, expired.ID)
	if st := c.Call("DELETE", "/v1/files/"+completed.ID, nil, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	retained := c.retained(3 * time.Second)

	wants := []want{
		{"file.completed", completed.ID, ""}, {"file.rejected", rejected.ID, ""}, {"file.cancelled", cancelled.ID, ""},
		{"file.expired", expired.ID, ""}, {"file.deleted", completed.ID, "api"}, {"file.completed", retained.ID, ""},
	}
	waitEvents(t, r, wants)
	time.Sleep(time.Until(retained.retainUntil) + 200*time.Millisecond)
	sweep(t)
	wants = append(wants, want{"file.deleted", retained.ID, "retention"})
	ds := waitEvents(t, r, wants)

	seen := map[string]string{} // event id → type/file
	for _, d := range ds {
		ev, err := d.Event()
		if err != nil {
			t.Fatalf("payload %s: %v", d.Payload, err)
		}
		if !d.Verified || d.Secret != ep.Secret {
			t.Errorf("%s %s: not verified by standardwebhooks with the endpoint's secret: %s", ev.Type, ev.ID, d.Error)
		}
		if d.ID != ev.ID || !fileevents.ValidEventID(ev.ID) || d.UserAgent != "Filegate-Webhooks/1" {
			t.Errorf("webhook-id %q, payload id %q, user agent %q", d.ID, ev.ID, d.UserAgent)
		}
		if ev.ProjectID != c.ProjectID || ev.OrganizationID == "" || ev.Timestamp == "" {
			t.Errorf("%s: project %q org %q timestamp %q", ev.ID, ev.ProjectID, ev.OrganizationID, ev.Timestamp)
		}
		key := ev.Type + " " + ev.Data.File.ID
		if prev, ok := seen[ev.ID]; ok && prev != key {
			t.Errorf("event id %s names %s and %s", ev.ID, prev, key)
		}
		seen[ev.ID] = key
		status := map[string]string{"file.completed": "COMPLETED", "file.rejected": "REJECTED", "file.cancelled": "CANCELLED", "file.expired": "EXPIRED"}[ev.Type]
		if status != "" && ev.Data.File.Status != status {
			t.Errorf("%s carries the file %s", ev.Type, ev.Data.File.Status)
		}
		if ev.Type == "file.rejected" && (ev.Data.File.Rejection == nil || ev.Data.File.Rejection.Code == "") {
			t.Errorf("file.rejected carries no rejection reason: %s", d.Payload)
		}
		if strings.Contains(string(d.Payload), "X-Amz-") || strings.Contains(string(d.Payload), "uploadUrl") {
			t.Errorf("a payload carries a URL with credentials: %s", d.Payload)
		}
	}
	if len(seen) != len(wants) {
		t.Errorf("%d distinct events, want %d: %v", len(seen), len(wants), seen)
	}
	// The delivery log shows each one delivered, its attempt answered 2xx.
	var log struct {
		Data []struct {
			EventID   string `json:"eventId"`
			EventType string `json:"eventType"`
			Status    string `json:"status"`
			Attempts  []struct {
				StatusCode *int  `json:"statusCode"`
				LatencyMs  int64 `json:"latencyMs"`
			} `json:"attempts"`
		} `json:"data"`
	}
	if st := c.Call("GET", "/v1/webhook-endpoints/"+ep.ID+"/deliveries?limit=100", nil, &log); st != http.StatusOK {
		t.Fatalf("delivery log: %d", st)
	}
	if len(log.Data) != len(wants) {
		t.Errorf("the log lists %d deliveries, want %d", len(log.Data), len(wants))
	}
	for _, d := range log.Data {
		if d.Status != "delivered" || len(d.Attempts) == 0 || d.Attempts[0].StatusCode == nil || *d.Attempts[0].StatusCode/100 != 2 {
			t.Errorf("log entry %+v: want delivered, its last attempt a 2xx", d)
		}
	}
}

// retainedFile is a COMPLETED file whose retention ends at retainUntil.
type retainedFile struct {
	filegate.File
	retainUntil time.Time
}

// upload creates, PUTs and completes a file.
func (c *tenant) upload(name string, body []byte) filegate.File {
	c.T.Helper()
	f := c.Create(name, "application/pdf", len(body), "")
	if put(c.T, f.UploadURL, f.UploadHeaders, body) != http.StatusOK {
		c.T.Fatalf("PUT %s", name)
	}
	var done filegate.File
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, &done); st != http.StatusOK {
		c.T.Fatalf("complete %s: %d", name, st)
	}
	return done
}

// retained uploads a file kept for d.
func (c *tenant) retained(d time.Duration) retainedFile {
	c.T.Helper()
	until := time.Now().Add(d).UTC()
	var f filegate.File
	if st := c.Call("POST", "/v1/files", map[string]any{"filename": "brief.pdf", "mimeType": "application/pdf", "sizeBytes": len(pdfBytes), "retentionExpiresAt": until.Format(time.RFC3339Nano)}, &f); st != http.StatusOK {
		c.T.Fatalf("create with retention: %d", st)
	}
	if put(c.T, f.UploadURL, f.UploadHeaders, pdfBytes) != http.StatusOK {
		c.T.Fatal("PUT")
	}
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, &f); st != http.StatusOK {
		c.T.Fatalf("complete: %d", st)
	}
	return retainedFile{File: f, retainUntil: until}
}
