package faults

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
)

// TestStalledDynamoDBMeans503sInTime freezes DynamoDB Local (SIGSTOP):
// requests reach it and are never answered, as when DynamoDB stalls. Each
// API must still answer within its function's timeout, with a 503 in its
// own envelope and Retry-After, not a function killed at its timeout (API
// Gateway's bare 500); once DynamoDB goes on, so does the API.
func TestStalledDynamoDBMeans503sInTime(t *testing.T) {
	st := startStack(t, func(o *localstack.Options) { o.CacheAuthorizations = true })
	c := newClient(t, st)
	f := create(c, uniquePDF(1))
	// Authorize both paths once, so the cached answers carry them through.
	native, compat := "/v1/files/"+f.ID, "/api/v1/beta/files/"+files.UUIDString(f.ID)
	for _, path := range []string{native, compat} {
		get(t, c.Key, st.APIURL+path)
	}

	if err := st.DynamoDB.Pause(); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			if err := st.DynamoDB.Resume(); err != nil {
				t.Error(err)
			}
		}
	}
	defer resume()
	const timeout = 10 * time.Second // template.yaml: Globals.Function.Timeout
	var wg sync.WaitGroup
	for _, path := range []string{native, compat} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			began := time.Now()
			status, h, body := get(t, c.Key, st.APIURL+path)
			took := time.Since(began)
			var envelope map[string]any
			_ = json.Unmarshal(body, &envelope)
			dialect := envelope["error"] != nil || envelope["detail"] != nil
			if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !dialect || took >= timeout {
				t.Errorf("GET %s with DynamoDB stalled: %d after %s, Retry-After %q, body %s; want a 503 in the dialect's envelope with Retry-After within %s",
					path, status, took.Round(time.Millisecond), h.Get("Retry-After"), body, timeout)
			}
		}()
	}
	wg.Wait()
	resume()
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, _, body := get(t, c.Key, st.APIURL+native)
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET after DynamoDB went on: %d %s", status, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func get(t *testing.T, key, url string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	var buf [4096]byte
	n, _ := io.ReadFull(res.Body, buf[:])
	return res.StatusCode, res.Header, buf[:n]
}
