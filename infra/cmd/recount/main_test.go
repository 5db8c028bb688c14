package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/process"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

const project = "3f1c2a8e-8c1d-4f7a-9d55-2f0f7a9b1c01"

// The command as the operator runs it, against DynamoDB Local through the
// same environment a deployment's operator sets (TABLE_NAME, the SDK's
// endpoint and credentials): a project whose file creation the counter
// consumer never counted shows the drift in a dry run, which writes
// nothing; the real run fixes it, and a second dry run finds nothing.
func TestRecountDryRunShowsDriftAndTheRunFixesIt(t *testing.T) {
	ctx := context.Background()
	ddb, err := dynamodblocal.StartDynamoDB(ctx, process.ToolsDir(), "", filepath.Join(t.TempDir(), "dynamodb.log"))
	if err != nil {
		t.Fatalf("DynamoDB Local did not start: %v (run `make tools`; Java 17+ is required)", err)
	}
	defer ddb.Stop()
	tpl, err := samtemplate.ReadTemplate("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	client := ddb.Client()
	if err := localstack.CreateTable(ctx, client, "files", tpl.Table); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	id := files.NewID(now)
	f := &files.File{ID: id, ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: 10}, Status: files.StatusCompleted,
		CreatedAt: now, UpdatedAt: now, ObjectKey: files.ObjectKey(project, id)}
	if err := dynamostore.New(dynamo.NewFromIface(client), "files").Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TABLE_NAME", "files")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", ddb.Endpoint)
	t.Setenv("AWS_REGION", dynamodblocal.LocalRegion)
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	recount := func(args ...string) string {
		t.Helper()
		var out strings.Builder
		if err := run(append([]string{"-project", project, "-settle", "0s"}, args...), &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	items := func() int {
		out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("files")})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Items)
	}

	out := recount("-dry-run")
	for _, want := range []string{"COUNT files: stored 0, records say 1", "COUNT completed: stored 0, records say 1", "COUNT bytes: stored 0, records say 10", "dry run: nothing written"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run printed:\n%s\nwant a line with %q", out, want)
		}
	}
	if n := items(); n != 1 {
		t.Fatalf("after the dry run the table holds %d items, want the file record alone", n)
	}
	if out := recount(); !strings.Contains(out, "counts set to its records'") {
		t.Errorf("the run printed:\n%s", out)
	}
	if out := recount("-dry-run"); !strings.Contains(out, "its counts are its records'") {
		t.Errorf("after the fix, a dry run printed:\n%s", out)
	}
	var total int
	if _, total, err = dynamostore.New(dynamo.NewFromIface(client), "files").List(ctx, project, 1, 0); err != nil || total != 1 {
		t.Errorf("after the fix the native list's total is %d (%v), want 1", total, err)
	}
}
