package faults

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// crashRule picks the DynamoDB request at which dynamoCrash kills DynamoDB
// Local: by its operation (X-Amz-Target without the API version) and strings
// its JSON body contains.
type crashRule struct {
	ops      []string // any of these operations
	contains []string // all of these strings
	// afterCommit forwards the request and kills DynamoDB Local once it has
	// answered: the write committed, its answer is lost with the crash.
	// Otherwise the crash comes first and the write never happens.
	afterCommit bool
}

// in narrows r to one project's requests: its id is in every key they write.
func (r crashRule) in(project string) crashRule {
	r.contains = append(slices.Clone(r.contains), project)
	return r
}

func (r crashRule) matches(op string, body []byte) bool {
	if !slices.Contains(r.ops, op) {
		return false
	}
	for _, s := range r.contains {
		if !bytes.Contains(body, []byte(s)) {
			return false
		}
	}
	return true
}

// dynamoCrash stands between the functions and DynamoDB Local (the stack's
// DynamoDBFront). Once armed, it SIGKILLs DynamoDB Local at the first request
// its rule matches and drops that request's connection, as a crash would.
// While DynamoDB Local is down every request gets a dropped connection too.
type dynamoCrash struct {
	target string // DynamoDB Local's endpoint; its port survives restarts
	kill   func() error
	// fence is a write DynamoDB Local makes durable, and what it answered
	// before with it: it answers a transaction before the transaction is
	// durable (one SIGKILLed right after its answer is lost on restart, seen
	// here; on DynamoDB an answer means committed), so a crash "after the
	// commit" comes after a fence.
	fence func() error

	mu    sync.Mutex
	armed *crashRule
	fired chan crashed
}

// crashed is what an armed crash did: the operation it crashed at, and
// whether the fence before it failed.
type crashed struct {
	op       string
	fenceErr error
}

var forwarder = &http.Client{Timeout: 30 * time.Second}

// arm makes the next request r matches crash DynamoDB Local.
func (p *dynamoCrash) arm(r crashRule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed, p.fired = &r, make(chan crashed, 1)
}

// waitFired fails the test unless the armed crash happened within a few seconds.
func (p *dynamoCrash) waitFired(t *testing.T) string {
	t.Helper()
	p.mu.Lock()
	fired := p.fired
	p.mu.Unlock()
	select {
	case c := <-fired:
		if c.fenceErr != nil {
			t.Fatalf("the write before the crash at %s was not made durable: %v", c.op, c.fenceErr)
		}
		return c.op
	case <-time.After(10 * time.Second):
		t.Fatal("the armed DynamoDB crash never happened: no request matched its rule")
		return ""
	}
}

// take returns the armed rule if it matches, disarming it.
func (p *dynamoCrash) take(op string, body []byte) *crashRule {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.armed == nil || !p.armed.matches(op, body) {
		return nil
	}
	r := p.armed
	p.armed = nil
	return r
}

func (p *dynamoCrash) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		drop(w)
		return
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	rule := p.take(op, body)
	if rule != nil && !rule.afterCommit {
		p.crash(w, crashed{op: op})
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		drop(w)
		return
	}
	req.Header = r.Header.Clone()
	req.Host = r.Host // the SDK signed it
	resp, err := forwarder.Do(req)
	if err != nil {
		drop(w) // DynamoDB Local is down: the caller sees what a dead server gives
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		drop(w)
		return
	}
	if rule != nil {
		p.crash(w, crashed{op: op, fenceErr: p.fence()})
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

func (p *dynamoCrash) crash(w http.ResponseWriter, c crashed) {
	_ = p.kill()
	drop(w)
	p.mu.Lock()
	p.fired <- c
	p.mu.Unlock()
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
