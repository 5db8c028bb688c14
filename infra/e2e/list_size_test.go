package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// lambdaResponseLimit is Lambda's documented limit on a synchronous
// invocation's response (the function's whole JSON envelope), written here
// apart from the code under test.
const lambdaResponseLimit = 6_291_456

// The largest listing the compat API allows: 1,000 files whose names are
// 3,000 characters of 4-byte UTF-8 (12,000 bytes each, and 20 bytes a
// character again in each download URL's signed Content-Disposition),
// page_size 1000 with expand=download_url. Each page's response, in the
// envelope Lambda carries, stays under Lambda's limit (the local gateway
// answers 500 past it, as API Gateway does), pages stop early by size with a
// token, none is empty while a token is set, and every file comes exactly
// once, in the listing's orders and through POST /query (whose file_ids
// filter lists all 1,000 and whose tokens carry the sort key).
//
// Not parallel: its 1,000 seeded records are 2,000 stream records for the
// counters, whose backlog would hold up other tests' counts; it waits for
// its own counts to settle before it ends.
func TestWorstCaseListingsFitLambdasResponseLimit(t *testing.T) {
	c := newTenant(t)
	ids := seedLongNamedFiles(t, c.ProjectID, 1000)
	defer c.waitCountsWithin(time.Minute, len(ids), len(ids))
	uuids := make([]string, len(ids)) // the compat API's spelling
	for i, id := range ids {
		uuids[i] = files.UUIDString(id)
	}
	want := slices.Sorted(slices.Values(uuids))

	type page struct {
		Items []struct {
			ID          string          `json:"id"`
			Name        string          `json:"name"`
			DownloadURL *map[string]any `json:"download_url"`
		} `json:"items"`
		Next *string `json:"next_page_token"`
	}
	walk := func(name string, fetch func(token string) (int, http.Header, []byte)) {
		t.Helper()
		var got []string
		token, pages, largest := "", 0, 0
		for {
			st, h, raw := fetch(token)
			// A loaded local stack may not read 6 MB of records within the
			// function's deadline: that is a 503 with Retry-After, which
			// clients retry (and not what this test measures).
			for retries := 0; st == http.StatusServiceUnavailable && retries < 3; retries++ {
				t.Logf("%s: page %d: 503, retrying", name, pages+1)
				st, h, raw = fetch(token)
			}
			pages++
			if st != http.StatusOK {
				t.Fatalf("%s: page %d: %d %.300s", name, pages, st, raw)
			}
			size := envelopeBytes(t, st, h, raw)
			largest = max(largest, size)
			if size > lambdaResponseLimit {
				t.Fatalf("%s: page %d is %d bytes in Lambda's envelope, over %d", name, pages, size, lambdaResponseLimit)
			}
			var p page
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatalf("%s: page %d: %v", name, pages, err)
			}
			if p.Next != nil && len(p.Items) == 0 {
				t.Fatalf("%s: page %d is empty with a next_page_token", name, pages)
			}
			for _, it := range p.Items {
				got = append(got, it.ID)
				if strings.HasPrefix(name, "GET") && (it.DownloadURL == nil || len(it.Name) < 4*(files.MaxDirectNameChars-8)) {
					t.Fatalf("%s: page %d: item %s has no download_url, or a %d-byte name", name, pages, it.ID, len(it.Name))
				}
			}
			t.Logf("%s: page %d: %d items, %d bytes", name, pages, len(p.Items), size)
			if p.Next == nil || pages > len(ids) {
				break
			}
			token = *p.Next
		}
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		if !slices.Equal(sorted, want) {
			t.Fatalf("%s: %d pages returned %d files (%d distinct), want each of the %d exactly once", name, pages, len(got), len(slices.Compact(sorted)), len(want))
		}
		// The cap is by size: pages end well short of 1,000 items, near the limit.
		if pages < 2 || largest < lambdaResponseLimit/2 {
			t.Errorf("%s: %d pages, the largest %d bytes: the response budget was not what ended them", name, pages, largest)
		}
		t.Logf("%s: %d files in %d pages, largest %d bytes in the envelope", name, len(got), pages, largest)
	}
	for _, order := range []string{"created_at", "name"} {
		walk("GET order_by="+order, func(token string) (int, http.Header, []byte) {
			q := url.Values{"page_size": {"1000"}, "expand": {"download_url"}, "order_by": {order}}
			if token != "" {
				q.Set("page_token", token)
			}
			return c.raw(t, http.MethodGet, "/api/v1/beta/files?"+q.Encode(), nil)
		})
	}
	for _, order := range []string{"name desc"} {
		walk("POST /query file_ids order_by="+order, func(token string) (int, http.Header, []byte) {
			body := map[string]any{"filter": map[string]any{"file_ids": uuids}, "order_by": order, "page_size": 1000}
			if token != "" {
				body["page_token"] = token
			}
			return c.raw(t, http.MethodPost, "/api/v1/beta/files/query", body)
		})
	}
	// The native listing is bounded by its limit (25): far under the limit.
	st, h, raw := c.raw(t, http.MethodGet, "/v1/files?limit=25", nil)
	if size := envelopeBytes(t, st, h, raw); st != http.StatusOK || size > lambdaResponseLimit/10 {
		t.Errorf("native page of 25 long-named files: %d, %d bytes in the envelope", st, size)
	}
}

// raw sends body (JSON, or none) and returns the answer unparsed.
func (c *tenant) raw(t *testing.T, method, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	var in json.RawMessage
	var out json.RawMessage
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		in = b
	}
	var payload any
	if in != nil {
		payload = in
	}
	st, h := c.Do(method, path, payload, &out)
	return st, h, out
}

// envelopeBytes is the size of the answer as Lambda carries it: the API
// Gateway v2 response JSON with the body as one escaped string, encoded as
// aws-lambda-go encodes it (no HTML escaping). Headers API Gateway adds
// itself are counted too, which only overstates it.
func envelopeBytes(t *testing.T, status int, h http.Header, body []byte) int {
	t.Helper()
	headers := map[string]string{}
	for k := range h {
		headers[k] = h.Get(k)
	}
	var n strings.Builder
	enc := json.NewEncoder(&n)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers, Body: string(body)}); err != nil {
		t.Fatal(err)
	}
	return n.Len() - 1
}

// seedLongNamedFiles stores n COMPLETED files of project with the longest
// names the compat API takes, written straight to the table as complete
// leaves them (listings read records and presign; no object is needed).
func seedLongNamedFiles(t *testing.T, project string, n int) []string {
	t.Helper()
	store := dynamostore.New(dynamo.NewFromIface(stack.DynamoClient()), localstack.TableName)
	// 4-byte characters, each 12 bytes percent-encoded in a download's
	// Content-Disposition and 20 once that is escaped into the URL's query.
	wide := []rune{'📄', '𠀀', '𝒜', '🗂'}
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				ctx := context.Background()
				now := time.Now().UTC()
				var name strings.Builder
				name.WriteString(fmt.Sprintf("%04d", i))
				for j := 0; j < files.MaxDirectNameChars-8; j++ {
					name.WriteRune(wide[(i+j)%len(wide)])
				}
				name.WriteString(".txt")
				id := files.NewID(now)
				f := &files.File{
					ID: id, ProjectID: project, Declared: files.Declared{Filename: name.String(), MimeType: "text/plain", SizeBytes: 1, Purpose: "user_data"},
					Status: files.StatusPending, CreatedAt: now, UpdatedAt: now,
					UploadExpiresAt: now.Add(time.Hour), ObjectKey: files.ObjectKey(project, id),
				}
				err := store.Create(ctx, f)
				if err == nil {
					_, err = store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCompleted, At: now, ETag: `"e"`})
				}
				if err != nil {
					errs <- err
					continue
				}
				ids[i] = id.String()
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("seeding: %v", err)
	}
	if got := checkSeededName(ids, store, project); got != "" {
		t.Fatal(got)
	}
	return ids
}

// checkSeededName checks one seeded name is as long as the compat API allows.
func checkSeededName(ids []string, store *dynamostore.Store, project string) string {
	f, err := store.Get(context.Background(), project, files.MustParseFileID(ids[0]))
	if err != nil {
		return err.Error()
	}
	if n := len([]rune(f.Filename)); n != files.MaxDirectNameChars || len(f.Filename) < 4*(files.MaxDirectNameChars-8) {
		return fmt.Sprintf("a seeded name has %d characters (%d bytes), want %d of mostly 4-byte UTF-8", n, len(f.Filename), files.MaxDirectNameChars)
	}
	return ""
}
