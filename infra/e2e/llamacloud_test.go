package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/openapicheck"
	"github.com/filegate/filegate/infra/webhookreceiver"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// llamaCloudSuite is the Node suite that drives the official
// @llamaindex/llama-cloud client, unmodified, against the compat API.
const llamaCloudSuite = "../conformance/llamacloud"

// TestLlamaCloudClient runs that suite against this package's local stack,
// through a proxy that holds every answer to openapi/compat.yaml, with
// three fresh projects (files.test.mjs uses A and B, wire.test.mjs C,
// since node runs the files in parallel), then checks that the bucket holds
// no object without a record (refused, failed and deleted uploads leave
// nothing) once TTL has removed what outlived its retention.
func TestLlamaCloudClient(t *testing.T) {
	node := tool(t, "node")
	npmInstall(t, tool(t, "npm"), llamaCloudSuite)

	ctx := context.Background()
	orgA, projectA, projectB := apitest.NewUUID(), apitest.NewUUID(), apitest.NewUUID()
	keyA, err := stack.MintKey(ctx, orgA, projectA, auth.ScopeCreate, auth.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	readOnlyA, err := stack.MintKey(ctx, orgA, projectA, auth.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	keyB, err := stack.MintKey(ctx, apitest.NewUUID(), projectB, auth.ScopeCreate, auth.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	projectC := apitest.NewUUID()
	keyC, err := stack.MintKey(ctx, apitest.NewUUID(), projectC, auth.ScopeCreate, auth.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "files.test.mjs", "wire.test.mjs")
	cmd.Dir = llamaCloudSuite
	cmd.Env = append(os.Environ(),
		"FILEGATE_URL="+checkedProxy(t),
		"FILEGATE_KEY_A="+keyA, "FILEGATE_PROJECT_A="+projectA, "FILEGATE_ORG_A="+orgA,
		"FILEGATE_KEY_A_READONLY="+readOnlyA,
		"FILEGATE_KEY_B="+keyB, "FILEGATE_PROJECT_B="+projectB,
		"FILEGATE_KEY_C="+keyC, "FILEGATE_PROJECT_C="+projectC,
		"FILEGATE_DIRECT_UPLOAD_MAX="+strconv.FormatInt(files.MaxDirectUploadBytes, 10),
		"FILEGATE_LAMBDA_PAYLOAD_MAX="+strconv.FormatInt(files.LambdaSyncPayloadBytes, 10),
		"NO_COLOR=1",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test files.test.mjs (in %s) failed: %v\n%s", llamaCloudSuite, err, out)
	}
	t.Logf("node --test:\n%s", out)

	sweep(t) // wire.test.mjs leaves files past their retention for TTL
	for _, p := range []struct{ project, key string }{{projectA, keyA}, {projectB, keyB}, {projectC, keyC}} {
		checkNoOrphans(t, p.project, p.key)
	}
}

// checkedProxy serves the stack's API through a reverse proxy whose
// transport is the test kit's OpenAPI check: what the official client
// receives is held to the documents like what the Go suites receive
// (TestMain reports what did not match).
func checkedProxy(t *testing.T) string {
	t.Helper()
	check, err := openapicheck.For(stack.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(stack.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport: check.Transport(nil),
	})
	t.Cleanup(srv.Close)
	return srv.URL
}

// tool finds a program on PATH or fails saying how to get it.
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not on PATH: the LlamaCloud conformance suite needs Node.js 20+ with npm (e.g. apt-get install nodejs npm, or https://nodejs.org)", name)
	}
	return path
}

// npmInstall installs dir's pinned packages (webhookreceiver.NPMInstall).
func npmInstall(t *testing.T, npm, dir string) {
	t.Helper()
	if err := webhookreceiver.NPMInstall(context.Background(), npm, dir); err != nil {
		t.Fatal(err)
	}
}

// checkNoOrphans lists the project's objects in MinIO: each must belong to a
// record the native API still shows.
func checkNoOrphans(t *testing.T, projectID, key string) {
	t.Helper()
	prefix := files.ObjectKey(projectID, files.FileID{})
	out, err := stack.S3Client().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: strPtr(localstack.BucketName), Prefix: &prefix})
	if err != nil {
		t.Fatalf("list %s: %v", prefix, err)
	}
	for _, o := range out.Contents {
		id := strings.TrimPrefix(*o.Key, prefix)
		var f filegate.File
		if st := call(t, key, "GET", "/v1/files/"+id, nil, &f); st != http.StatusOK || f.Status != "COMPLETED" {
			t.Errorf("object %s has no COMPLETED record (GET: %d, status %q)", *o.Key, st, f.Status)
		}
	}
}

func strPtr(s string) *string { return &s }
