package lambdaruntime

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRealBootstrap runs real function binaries (aws-lambda-go's own runtime
// client) against the server: a response, a function error, and a process
// that dies at init. None of them needs DynamoDB or S3.
func TestRealBootstrap(t *testing.T) {
	ctx := t.Context()
	bins, err := BuildFunctions(ctx, t.TempDir(), "get-file", "authorizer")
	if err != nil {
		t.Fatal(err)
	}
	// Configured, but pointing nowhere: these invocations never reach storage.
	env := []string{"TABLE_NAME=t", "BUCKET_NAME=b", "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=y",
		"AWS_ENDPOINT_URL=http://127.0.0.1:9", "AWS_EC2_METADATA_DISABLED=true"}

	t.Run("response", func(t *testing.T) {
		r := start(t, bins["get-file"], append(env, "AWS_LAMBDA_FUNCTION_NAME=GetFileFunction"))
		// No authorizer context: the handler answers 401 without touching storage.
		ev := `{"version":"2.0","routeKey":"GET /v1/files/{id}","rawPath":"/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894",` +
			`"rawQueryString":"","headers":{"host":"x"},"pathParameters":{"id":"fil_06H0EN1ZAP202AP5WPNPHXF894"},` +
			`"requestContext":{"http":{"method":"GET","path":"/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894"},"stage":"$default"},"isBase64Encoded":false}`
		for range 2 { // cold, then warm
			out, fnErr, err := r.Invoke(ctx, []byte(ev))
			if err != nil || fnErr != nil {
				t.Fatalf("Invoke: %v, %v\n%s", fnErr, err, r.Logs())
			}
			var resp struct {
				StatusCode int `json:"statusCode"`
			}
			if json.Unmarshal(out, &resp) != nil || resp.StatusCode != 401 {
				t.Fatalf("response %s, want statusCode 401", out)
			}
		}
		if !strings.HasSuffix(r.FunctionARN, ":function:GetFileFunction") {
			t.Errorf("FunctionARN = %s", r.FunctionARN)
		}
		if init := r.FirstPollAt().Sub(r.ProcessStart()); init <= 0 || init > 10*time.Second {
			t.Errorf("init took %s", init)
		}
	})

	t.Run("function error", func(t *testing.T) {
		r := start(t, bins["authorizer"], env)
		ev := `{"version":"2.0","type":"REQUEST","identitySource":["Basic Zm9vOmJhcg=="],"routeKey":"GET /v1/files"}`
		_, fnErr, err := r.Invoke(ctx, []byte(ev))
		if err != nil || fnErr == nil || fnErr.Message != "Unauthorized" {
			t.Fatalf("Invoke = %v, %v; want the Unauthorized error\n%s", fnErr, err, r.Logs())
		}
	})

	t.Run("exit at init", func(t *testing.T) {
		bin, err := BuildFunction(ctx, "authorizer") // the single-function path
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(bin)) })
		// The host's variables must not leak in: without TABLE_NAME main exits.
		t.Setenv("TABLE_NAME", "leaked")
		t.Setenv("BUCKET_NAME", "leaked")
		r := start(t, bin, nil)
		_, fnErr, err := r.Invoke(ctx, []byte(`{}`))
		if err != nil || fnErr == nil || fnErr.Type != "Runtime.ExitError" || !strings.Contains(fnErr.Message, "exit status 1") {
			t.Fatalf("Invoke = %v, %v; want Runtime.ExitError", fnErr, err)
		}
		<-r.Exited()
		if !strings.Contains(r.Logs(), "TABLE_NAME and BUCKET_NAME must be set") {
			t.Errorf("logs do not say why:\n%s", r.Logs())
		}
	})
}

func start(t *testing.T, bin string, env []string) *Runtime {
	t.Helper()
	r, cmd, err := StartFunction(t.Context(), bin, env)
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Process == nil {
		t.Fatal("no process")
	}
	t.Cleanup(func() { r.Close() })
	return r
}
