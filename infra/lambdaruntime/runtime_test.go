package lambdaruntime

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeBootstrap is a tiny runtime client, speaking the Runtime API the way
// a provided.al2023 bootstrap does.
type fakeBootstrap struct {
	t    *testing.T
	base string
}

func newRuntime(t *testing.T) (*Runtime, *fakeBootstrap) {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, &fakeBootstrap{t: t, base: "http://" + r.Addr + "/2018-06-01/runtime/"}
}

// next polls for an invocation and returns its headers and payload.
func (b *fakeBootstrap) next() (http.Header, []byte) {
	resp, err := http.Get(b.base + "invocation/next")
	if err != nil {
		b.t.Errorf("next: %v", err)
		return nil, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Errorf("next: status %d %s", resp.StatusCode, body)
	}
	return resp.Header, body
}

// post sends body to path and returns the status and response body.
func (b *fakeBootstrap) post(path string, body io.Reader, header http.Header, trailer http.Header) (int, string) {
	req, err := http.NewRequest(http.MethodPost, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Trailer = trailer
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Errorf("POST %s: %v", path, err)
		return 0, ""
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// serve runs one invocation through handle in the background.
func (b *fakeBootstrap) serve(handle func(h http.Header, payload []byte)) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		handle(b.next())
	}()
	return done
}

func TestInvokeResponse(t *testing.T) {
	r, b := newRuntime(t)
	r.FunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:echo"
	select {
	case <-r.FirstPoll():
		t.Fatal("FirstPoll closed before any poll")
	default:
	}
	for i, payload := range []string{`{"n":1}`, `{"n":2}`} { // cold, then warm
		start := time.Now()
		done := b.serve(func(h http.Header, got []byte) {
			if string(got) != payload {
				t.Errorf("payload = %s, want %s", got, payload)
			}
			id := h.Get("Lambda-Runtime-Aws-Request-Id")
			if len(id) != 36 {
				t.Errorf("request id %q is not a UUID", id)
			}
			ms, err := strconv.ParseInt(h.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
			if d := time.UnixMilli(ms).Sub(start); err != nil || d < DefaultTimeout-time.Second || d > DefaultTimeout+time.Second {
				t.Errorf("deadline %q is not ~%s ahead", h.Get("Lambda-Runtime-Deadline-Ms"), DefaultTimeout)
			}
			if got := h.Get("Lambda-Runtime-Invoked-Function-Arn"); got != r.FunctionARN {
				t.Errorf("function ARN = %q", got)
			}
			if !strings.HasPrefix(h.Get("Lambda-Runtime-Trace-Id"), "Root=1-") {
				t.Errorf("trace id = %q", h.Get("Lambda-Runtime-Trace-Id"))
			}
			st, body := b.post("invocation/"+id+"/response", strings.NewReader(`"echo:`+strconv.Itoa(i)+`"`), nil, nil)
			if st != http.StatusAccepted || body != `{"status":"OK"}` {
				t.Errorf("response: %d %s", st, body)
			}
		})
		resp, fnErr, err := r.Invoke(t.Context(), []byte(payload))
		<-done
		if err != nil || fnErr != nil || string(resp) != `"echo:`+strconv.Itoa(i)+`"` {
			t.Fatalf("Invoke = %s, %v, %v", resp, fnErr, err)
		}
	}
	select {
	case <-r.FirstPoll():
	default:
		t.Fatal("FirstPoll not closed after polls")
	}
	if r.FirstPollAt().IsZero() {
		t.Error("FirstPollAt is zero")
	}
}

func TestInvokeErrors(t *testing.T) {
	const stack = `[{"path":"main.go","line":3,"label":"main"}]`
	trailerBody := base64.StdEncoding.EncodeToString([]byte(`{"errorType":"Stream.Broken","errorMessage":"mid-stream"}`))
	tests := []struct {
		name     string
		path     string // after invocation/<id>/
		body     string
		header   http.Header
		trailer  http.Header
		wantType string
		wantMsg  string
	}{
		{"error document", "error", `{"errorMessage":"boom","errorType":"errorString","stackTrace":` + stack + `}`,
			http.Header{"Lambda-Runtime-Function-Error-Type": {"Unhandled"}}, nil, "errorString", "boom"},
		{"header only", "error", "", http.Header{"Lambda-Runtime-Function-Error-Type": {"Runtime.Custom"}}, nil, "Runtime.Custom", ""},
		{"not JSON", "error", "plain text", nil, nil, "Runtime.Unknown", "plain text"},
		{"trailer after streamed body", "response", `{"partial":`, nil,
			http.Header{"Lambda-Runtime-Function-Error-Type": {"Stream.Broken"}, "Lambda-Runtime-Function-Error-Body": {trailerBody}},
			"Stream.Broken", "mid-stream"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, b := newRuntime(t)
			done := b.serve(func(h http.Header, _ []byte) {
				// io.MultiReader hides the length: the body goes chunked, so trailers can follow.
				body := io.MultiReader(strings.NewReader(tc.body))
				if st, out := b.post("invocation/"+h.Get("Lambda-Runtime-Aws-Request-Id")+"/"+tc.path, body, tc.header, tc.trailer); st != http.StatusAccepted {
					t.Errorf("status %d %s", st, out)
				}
			})
			resp, fnErr, err := r.Invoke(t.Context(), []byte(`{}`))
			<-done
			if err != nil || fnErr == nil || resp != nil {
				t.Fatalf("Invoke = %q, %v, %v; want a function error", resp, fnErr, err)
			}
			if fnErr.Type != tc.wantType || fnErr.Message != tc.wantMsg {
				t.Errorf("fnErr = %+v, want %s %q", fnErr, tc.wantType, tc.wantMsg)
			}
			if tc.name == "error document" && string(fnErr.StackTrace) != stack {
				t.Errorf("stackTrace = %s", fnErr.StackTrace)
			}
		})
	}
}

func TestUnknownRequestID(t *testing.T) {
	_, b := newRuntime(t)
	for _, path := range []string{"invocation/nope/response", "invocation/nope/error"} {
		st, body := b.post(path, strings.NewReader(`{}`), nil, nil)
		var e ErrorResponse
		if st != http.StatusBadRequest || json.Unmarshal([]byte(body), &e) != nil || e.Type != "InvalidRequestID" {
			t.Errorf("%s: %d %s", path, st, body)
		}
	}
}

func TestTimeoutThenLateResponse(t *testing.T) {
	r, b := newRuntime(t)
	r.Timeout = 200 * time.Millisecond
	ids := make(chan string, 1)
	b.serve(func(h http.Header, _ []byte) { ids <- h.Get("Lambda-Runtime-Aws-Request-Id") })
	_, fnErr, err := r.Invoke(t.Context(), []byte(`{}`))
	if err != nil || fnErr == nil || fnErr.Type != "Sandbox.Timedout" || !strings.Contains(fnErr.Message, "Task timed out after 0.20 seconds") {
		t.Fatalf("Invoke = %v, %v; want Sandbox.Timedout", fnErr, err)
	}
	if st, body := b.post("invocation/"+<-ids+"/response", strings.NewReader(`1`), nil, nil); st != http.StatusBadRequest {
		t.Errorf("late response: %d %s, want 400", st, body)
	}
}

func TestInitError(t *testing.T) {
	r, b := newRuntime(t)
	hdr := http.Header{"Lambda-Runtime-Function-Error-Type": {"Runtime.InitError"}}
	if st, body := b.post("init/error", strings.NewReader(`{"errorType":"Runtime.InitError","errorMessage":"no config"}`), hdr, nil); st != http.StatusAccepted {
		t.Fatalf("init/error: %d %s", st, body)
	}
	for range 2 { // every invocation of a failed environment fails the same way
		_, fnErr, err := r.Invoke(t.Context(), []byte(`{}`))
		if err != nil || fnErr == nil || fnErr.Type != "Runtime.InitError" || fnErr.Message != "no config" {
			t.Fatalf("Invoke = %v, %v", fnErr, err)
		}
	}

	r2, b2 := newRuntime(t)
	done := b2.serve(func(h http.Header, _ []byte) {
		if st, _ := b2.post("init/error", strings.NewReader(`{}`), nil, nil); st != http.StatusForbidden {
			t.Errorf("init/error after init: status %d, want 403", st)
		}
		b2.post("invocation/"+h.Get("Lambda-Runtime-Aws-Request-Id")+"/response", strings.NewReader(`null`), nil, nil)
	})
	if _, fnErr, err := r2.Invoke(t.Context(), []byte(`{}`)); err != nil || fnErr != nil {
		t.Fatalf("Invoke = %v, %v", fnErr, err)
	}
	<-done
}

func TestPayloadLimits(t *testing.T) {
	r, b := newRuntime(t)
	if _, _, err := r.Invoke(t.Context(), make([]byte, MaxRequestPayload+1)); err == nil {
		t.Error("oversized request payload accepted")
	}
	done := b.serve(func(h http.Header, _ []byte) {
		big := bytes.Repeat([]byte("x"), MaxResponsePayload+1)
		if st, _ := b.post("invocation/"+h.Get("Lambda-Runtime-Aws-Request-Id")+"/response", bytes.NewReader(big), nil, nil); st != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized response: status %d, want 413", st)
		}
	})
	_, fnErr, err := r.Invoke(t.Context(), []byte(`{}`))
	<-done
	if err != nil || fnErr == nil || fnErr.Type != "Function.ResponseSizeTooLarge" {
		t.Fatalf("Invoke = %v, %v", fnErr, err)
	}
}

func TestCloseAndCancel(t *testing.T) {
	r, b := newRuntime(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := r.Invoke(ctx, []byte(`{}`)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Invoke: %v", err)
	}
	// An invocation handed out but never answered: Close must release Invoke.
	b.serve(func(http.Header, []byte) {})
	invoked := make(chan error, 1)
	go func() { _, _, err := r.Invoke(context.Background(), []byte(`{}`)); invoked <- err }()
	time.Sleep(50 * time.Millisecond)
	r.Close()
	if err := <-invoked; !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke across Close: %v", err)
	}
	if _, _, err := r.Invoke(t.Context(), []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke on a closed runtime: %v", err)
	}

	// A /next blocked on an empty queue must end when the runtime closes.
	r2, b2 := newRuntime(t)
	polled := make(chan int, 1)
	go func() {
		resp, err := http.Get(b2.base + "invocation/next")
		if err != nil {
			polled <- 0
			return
		}
		resp.Body.Close()
		polled <- resp.StatusCode
	}()
	<-r2.FirstPoll()
	r2.Close()
	select {
	case st := <-polled:
		if st == http.StatusOK {
			t.Error("/next returned an invocation after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("/next still blocked after Close")
	}
}

func TestFunctionDir(t *testing.T) {
	for id, want := range map[string]string{
		"AuthorizerFunction": "authorizer", "CreateFileFunction": "create-file",
		"FileUrlFunction": "file-url", "ProcessUploadFunction": "process-upload",
	} {
		if got := FunctionDir(id); got != want {
			t.Errorf("FunctionDir(%s) = %q, want %q", id, got, want)
		}
	}
}
