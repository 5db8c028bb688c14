package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/lambdaruntime"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/openapicheck"
	"github.com/filegate/filegate/infra/sampleevents"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// Values the events/ samples carry; each check swaps in ids it created,
// since neither key secrets nor file ids can be chosen.
const (
	sampleOrg     = sampleevents.Org
	sampleProject = sampleevents.Project
	sampleFileID  = sampleevents.FileID
	sampleKey     = sampleevents.Key
	sampleBucket  = "filegate-123456789012-us-east-1-uploads"
	// The samples' object (size 43, md5 9e107d9d372bb6826bd81d3542a419d6).
	fox = "The quick brown fox jumps over the lazy dog"
	// sideBucket has no S3 notifications: an object put there is settled
	// only by the binary under test, never by the stack's own S3 bridge.
	sideBucket = "filegate-entry-side"
)

// entryChecks invoke one function's real binary with its sample and judge
// the result. A template function without a check gets checkRoute if it is
// an HTTP function with one route, and fails TestEntry otherwise.
var entryChecks = map[string]func(e *entry){
	"AuthorizerFunction":      checkAuthorizer,
	"CreateFileFunction":      checkCreate,
	"GetFileFunction":         checkGet,
	"ListFilesFunction":       checkList,
	"CompleteFileFunction":    checkComplete,
	"FileUrlFunction":         checkURL,
	"CancelFileFunction":      checkCancel,
	"DeleteFileFunction":      checkDelete,
	"MintUploadTokenFunction": checkMintUploadToken,
	"ProcessUploadFunction":   checkProcessUpload,
	"CleanupFunction":         checkCleanup,
	"CountersFunction":        checkCounters,
	"ReconcileFunction":       checkReconcile,
	"ScanResultFunction":      checkScanResult,
	"SignPartsFunction":       checkSignParts,
	"ListPartsFunction":       checkListParts,
	"UploadUrlFunction":       checkUploadURL,
	// Compat API (LlamaCloud shape): it shows COMPLETED files only.
	"UploadFileFunction":        checkCompatUpload,
	"ListCompatFilesFunction":   checkCompatList,
	"QueryCompatFilesFunction":  checkCompatList,
	"GetCompatFileFunction":     checkCompatGet,
	"CompatFileContentFunction": checkCompatContent,
	"DeleteCompatFileFunction":  checkCompatDelete,
	// What no route takes.
	"DefaultRouteFunction": checkDefaultRoute,
	// Events (entry_events_test.go).
	"FileEventsFunction":            checkFileEvents,
	"WebhookSenderFunction":         checkWebhookSender,
	"CreateWebhookEndpointFunction": checkCreateWebhookEndpoint,
	"ListWebhookEndpointsFunction":  checkListWebhookEndpoints,
	"DeleteWebhookEndpointFunction": checkDeleteWebhookEndpoint,
	"RotateWebhookSecretFunction":   checkRotateWebhookSecret,
	"ListWebhookDeliveriesFunction": checkListWebhookDeliveries,
	"ReplayWebhookDeliveryFunction": checkReplayWebhookDelivery,
}

// TestEntry invokes every function of template.yaml once through its Lambda
// entry: its real bootstrap binary, started against a Runtime API server with
// the local stack's environment, fed its events/ sample.
func TestEntry(t *testing.T) {
	ctx := t.Context()
	tpl := stack.Template
	ids := slices.Sorted(maps.Keys(tpl.Functions))
	for id := range entryChecks {
		if tpl.Functions[id] == nil {
			t.Errorf("entryChecks has %s, which template.yaml lacks", id)
		}
	}
	var dirs []string
	for _, id := range ids {
		dir := lambdaruntime.FunctionDir(id)
		if _, err := os.Stat(filepath.Join("../../functions", dir, "main.go")); err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		dirs = append(dirs, dir)
	}
	start := time.Now()
	bins, err := lambdaruntime.BuildFunctions(ctx, t.TempDir(), dirs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built %d functions in %s", len(dirs), time.Since(start).Round(time.Millisecond))
	if err := localstack.CreateBucket(ctx, stack.S3Client(), sideBucket, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			f := tpl.Functions[id]
			check, ok := entryChecks[id]
			if _, isHTTP := sampleevents.OnlyRoute(f); !ok && isHTTP {
				check, ok = checkRoute, true
			}
			if !ok {
				t.Fatalf("no entry check for %s: add one to entryChecks", id)
			}
			raw, err := sampleevents.For("../..", f)
			if err != nil {
				t.Fatalf("sample: %v", err)
			}
			bin, ok := bins[lambdaruntime.FunctionDir(id)]
			if !ok {
				t.Fatal("not built")
			}
			check(newEntry(t, id, bin, raw))
			// The fallbacks a new read-only endpoint gets (the built sample
			// and checkRoute) run here on the existing ones, so they are
			// known to work before an endpoint relies on them.
			if route, isHTTP := sampleevents.OnlyRoute(f); isHTTP && strings.HasPrefix(route, "GET ") && entryChecks[id] != nil {
				def, err := sampleevents.Default(route)
				if err != nil {
					t.Fatalf("default sample: %v", err)
				}
				checkRoute(newEntry(t, id, bin, def))
			}
		})
	}
}

// entry is one function under test, with a fresh tenant to act for.
type entry struct {
	t      *testing.T
	id     string
	bin    string
	sample []byte
	org    string
	ten    *tenant
}

func newEntry(t *testing.T, id, bin string, sample []byte) *entry {
	org, project := apitest.NewUUID(), apitest.NewUUID()
	key, err := stack.MintKey(t.Context(), org, project, auth.ScopeCreate, auth.ScopeRead)
	if err != nil {
		t.Fatalf("mint key: %v", err)
	}
	return &entry{t: t, id: id, bin: bin, sample: sample, org: org, ten: &tenant{&apitest.Tenant{T: t, ProjectID: project, Client: filegate.Client{Base: stack.APIURL, Key: key}}}}
}

// start runs the binary with its environment on the stack plus env.
func (e *entry) start(env ...string) *lambdaruntime.Runtime {
	e.t.Helper()
	var all []string
	for k, v := range stack.FunctionEnv(e.id) {
		all = append(all, k+"="+v)
	}
	slices.Sort(all)
	all = append(all, "AWS_LAMBDA_FUNCTION_NAME="+e.id)
	r, _, err := lambdaruntime.StartFunction(e.t.Context(), e.bin, append(all, env...))
	if err != nil {
		e.t.Fatal(err)
	}
	// Each invocation's deadline is the function's, as Lambda sets it.
	r.Timeout = stack.Template.Functions[e.id].Timeout
	e.t.Cleanup(func() {
		r.Close()
		if e.t.Failed() {
			e.t.Logf("%s logs:\n%s", e.id, r.Logs())
		}
	})
	return r
}

// event is the sample with the tenant's org, project and key, and each
// old→new pair of repl replaced (each old must occur: the sample names it).
func (e *entry) event(repl ...string) []byte {
	e.t.Helper()
	ev := e.sample
	for i := 0; i+1 < len(repl); i += 2 {
		if !bytes.Contains(ev, []byte(repl[i])) {
			e.t.Fatalf("the sample does not contain %q", repl[i])
		}
		ev = bytes.ReplaceAll(ev, []byte(repl[i]), []byte(repl[i+1]))
	}
	return []byte(strings.NewReplacer(sampleOrg, e.org, sampleProject, e.ten.ProjectID, sampleKey, e.ten.Key).Replace(string(ev)))
}

// invoke runs one invocation and fails the test on any function error.
func (e *entry) invoke(r *lambdaruntime.Runtime, payload []byte) []byte {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 30*time.Second)
	defer cancel()
	out, fnErr, err := r.Invoke(ctx, payload)
	if err != nil || fnErr != nil {
		e.t.Fatalf("invoke %s: function error %v, %v", e.id, fnErr, err)
	}
	return out
}

// http invokes an HTTP function and returns its status and decoded body.
func (e *entry) http(payload []byte, env ...string) (int, []byte) {
	e.t.Helper()
	st, _, body := e.response(payload, env...)
	return st, body
}

// response invokes an HTTP function and returns its status, headers and
// decoded body.
func (e *entry) response(payload []byte, env ...string) (int, http.Header, []byte) {
	e.t.Helper()
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(e.invoke(e.start(env...), payload), &resp); err != nil {
		e.t.Fatalf("not an API Gateway v2 response: %v", err)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			e.t.Fatal(err)
		}
	}
	header := http.Header{}
	for k, v := range resp.Headers {
		header.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		header[http.CanonicalHeaderKey(k)] = vs
	}
	return resp.StatusCode, header, body
}

func (e *entry) decode(body []byte, v any) {
	e.t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		e.t.Fatalf("body %s: %v", body, err)
	}
}

// createFox starts an upload session for the samples' 43-byte text object.
func (e *entry) createFox() filegate.File {
	return e.ten.Create("fox.txt", "text/plain", len(fox), "")
}

// putSide stores f's object in sideBucket (no event: nothing settles it).
func (e *entry) putSide(f filegate.File) string {
	e.t.Helper()
	key := files.ObjectKey(e.ten.ProjectID, files.MustParseFileID(f.ID))
	_, err := stack.S3Client().PutObject(e.t.Context(), &s3.PutObjectInput{
		Bucket: aws.String(sideBucket), Key: aws.String(key), Body: strings.NewReader(fox), ContentType: aws.String("text/plain"),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return key
}

// completedFox is a COMPLETED file the way a client makes one: create, PUT
// to the presigned URL, complete (faster than waiting for the S3 event).
func (e *entry) completedFox(name string) filegate.File {
	e.t.Helper()
	f := e.ten.Create(name, "text/plain", len(fox), "")
	if st := put(e.t, f.UploadURL, f.UploadHeaders, []byte(fox)); st != http.StatusOK {
		e.t.Fatalf("PUT: %d", st)
	}
	var done filegate.File
	if st := e.ten.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, &done); st != http.StatusOK || done.Status != "COMPLETED" {
		e.t.Fatalf("complete: %d %+v", st, done)
	}
	return done
}

// fetch GETs a presigned download URL and wants the fox back.
func (e *entry) fetch(url string) {
	e.t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		e.t.Fatalf("GET presigned url %q: %v", url, err)
	}
	defer resp.Body.Close()
	if got, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || string(got) != fox {
		e.t.Errorf("GET presigned url: %d %q", resp.StatusCode, got)
	}
}

// status reads a file through the API.
func (e *entry) status(id string) string {
	e.t.Helper()
	var f filegate.File
	if st := e.ten.Call("GET", "/v1/files/"+id, nil, &f); st != http.StatusOK {
		e.t.Fatalf("GET %s: %d", id, st)
	}
	return f.Status
}

func checkAuthorizer(e *entry) {
	r := e.start()
	var resp events.APIGatewayV2CustomAuthorizerSimpleResponse
	e.decode(e.invoke(r, e.event()), &resp)
	want := map[string]any{"organizationId": e.org, "projectId": e.ten.ProjectID, "scopes": "files:create files:read", "keyHash": auth.Hash(e.ten.Key)}
	if !resp.IsAuthorized || !reflect.DeepEqual(resp.Context, want) {
		e.t.Errorf("authorizer = %+v, want authorized with %v", resp, want)
	}
	// The sample as committed holds a key nobody minted: API Gateway's 401.
	if _, fnErr, err := r.Invoke(e.t.Context(), e.sample); err != nil || fnErr == nil || fnErr.Message != "Unauthorized" {
		e.t.Errorf("unknown key: %v, %v; want the Unauthorized error", fnErr, err)
	}
}

func checkCreate(e *entry) {
	st, body := e.http(e.event())
	var f filegate.File
	e.decode(body, &f)
	if st != http.StatusOK || !files.ValidID(f.ID) || f.Status != "PENDING" || f.UploadURL == "" || f.Filename != "Q3 board deck.pdf" {
		e.t.Fatalf("create: %d %s", st, body)
	}
	if e.status(f.ID) != "PENDING" { // the record is in the tenant's project
		e.t.Errorf("created file is not PENDING")
	}
}

func checkGet(e *entry) {
	f := e.createFox()
	st, body := e.http(e.event(sampleFileID, f.ID))
	var got filegate.File
	e.decode(body, &got)
	if st != http.StatusOK || got.ID != f.ID || got.Status != "PENDING" || got.SizeBytes != int64(len(fox)) {
		e.t.Errorf("get: %d %s", st, body)
	}
}

func checkList(e *entry) {
	f := e.createFox()
	st, body := e.http(e.event())
	var page struct {
		Object     string          `json:"object"`
		Data       []filegate.File `json:"data"`
		TotalCount int             `json:"totalCount"`
	}
	e.decode(body, &page)
	if st != http.StatusOK || page.Object != "list" || page.TotalCount < 1 || len(page.Data) == 0 || page.Data[0].ID != f.ID {
		e.t.Errorf("list: %d %s", st, body)
	}
}

func checkComplete(e *entry) {
	f := e.createFox()
	e.putSide(f)
	if s := e.status(f.ID); s != "PENDING" {
		e.t.Fatalf("before complete: %s", s)
	}
	// The sample's md5 is the fox's: the function checks it against the object.
	st, body := e.http(e.event(sampleFileID, f.ID), "BUCKET_NAME="+sideBucket)
	var got filegate.File
	e.decode(body, &got)
	if st != http.StatusOK || got.Status != "COMPLETED" || got.CompletedAt == nil {
		e.t.Errorf("complete: %d %s", st, body)
	}
}

func checkURL(e *entry) {
	f := e.completedFox("fox.txt")
	st, body := e.http(e.event(sampleFileID, f.ID))
	var u struct {
		URL       string `json:"url"`
		ExpiresAt string `json:"expiresAt"`
	}
	e.decode(body, &u)
	if st != http.StatusOK || u.ExpiresAt == "" {
		e.t.Fatalf("url: %d %s", st, body)
	}
	e.fetch(u.URL)
}

func checkCancel(e *entry) {
	f := e.createFox()
	st, body := e.http(e.event(sampleFileID, f.ID))
	var got filegate.File
	e.decode(body, &got)
	if st != http.StatusOK || got.ID != f.ID || got.Status != "CANCELLED" {
		e.t.Errorf("cancel: %d %s", st, body)
	}
}

// checkMintUploadToken mints with the sample (the tenant's key named by its
// hash, as the authorizer passes it) and creates a file with the token
// through the stack: what the binary signed, the authorizer verifies.
func checkMintUploadToken(e *entry) {
	st, body := e.http(e.event(auth.Hash(sampleKey), auth.Hash(e.ten.Key)))
	var got struct {
		Token     string   `json:"token"`
		MaxFiles  int      `json:"maxFiles"`
		MimeTypes []string `json:"mimeTypes"`
	}
	e.decode(body, &got)
	if st != http.StatusOK || !strings.HasPrefix(got.Token, auth.TokenPrefix) || got.MaxFiles != 3 || len(got.MimeTypes) != 1 {
		e.t.Fatalf("mint: %d %s", st, body)
	}
	e.ten.WithKey(got.Token).Create("scan.pdf", "application/pdf", 10, "")
}

// multipartFox starts a multipart session of the fox in one part, whose
// SHA-256 (the sign-parts sample's) storage checks.
func (e *entry) multipartFox() filegate.File {
	e.t.Helper()
	var f filegate.File
	body := map[string]any{"filename": "fox.txt", "mimeType": "text/plain", "sizeBytes": len(fox), "multipart": map[string]any{"partSizeBytes": files.MinPartBytes, "partChecksum": "SHA256"}}
	if st := e.ten.Call("POST", "/v1/files", body, &f); st != http.StatusOK {
		e.t.Fatalf("multipart create: %d", st)
	}
	return f
}

type partURLs struct {
	Data []struct {
		PartNumber int               `json:"partNumber"`
		URL        string            `json:"url"`
		Headers    map[string]string `json:"headers"`
	} `json:"data"`
}

func checkSignParts(e *entry) {
	f := e.multipartFox()
	st, body := e.http(e.event(sampleFileID, f.ID))
	var got partURLs
	e.decode(body, &got)
	if st != http.StatusOK || len(got.Data) != 1 || got.Data[0].PartNumber != 1 {
		e.t.Fatalf("sign parts: %d %s", st, body)
	}
	if st := put(e.t, got.Data[0].URL, got.Data[0].Headers, []byte(fox)); st != http.StatusOK {
		e.t.Errorf("PUT of part 1 to its URL: %d", st)
	}
}

func checkListParts(e *entry) {
	f := e.multipartFox()
	var urls partURLs
	sum := sha256.Sum256([]byte(fox))
	if st := e.ten.Call("POST", "/v1/files/"+f.ID+"/parts", map[string]any{"parts": []map[string]any{{"partNumber": 1, "sha256": hex.EncodeToString(sum[:])}}}, &urls); st != http.StatusOK || len(urls.Data) != 1 {
		e.t.Fatalf("sign parts: %d", st)
	}
	if st := put(e.t, urls.Data[0].URL, urls.Data[0].Headers, []byte(fox)); st != http.StatusOK {
		e.t.Fatalf("PUT part 1: %d", st)
	}
	st, body := e.http(e.event(sampleFileID, f.ID))
	var got struct {
		Data []struct {
			PartNumber int   `json:"partNumber"`
			SizeBytes  int64 `json:"sizeBytes"`
		} `json:"data"`
	}
	e.decode(body, &got)
	if st != http.StatusOK || len(got.Data) != 1 || got.Data[0].SizeBytes != int64(len(fox)) {
		e.t.Errorf("list parts: %d %s", st, body)
	}
}

func checkUploadURL(e *entry) {
	f := e.createFox()
	st, body := e.http(e.event(sampleFileID, f.ID))
	var got filegate.File
	e.decode(body, &got)
	if st != http.StatusOK || got.ID != f.ID || got.UploadURL == "" {
		e.t.Fatalf("upload-url: %d %s", st, body)
	}
	if st := put(e.t, got.UploadURL, got.UploadHeaders, []byte(fox)); st != http.StatusOK {
		e.t.Errorf("PUT to the fresh URL: %d", st)
	}
}

func checkDelete(e *entry) {
	f := e.createFox()
	if st, body := e.http(e.event(sampleFileID, f.ID)); st != http.StatusNoContent {
		e.t.Fatalf("delete: %d %s", st, body)
	}
	if st := e.ten.Call("GET", "/v1/files/"+f.ID, nil, nil); st != http.StatusNotFound {
		e.t.Errorf("GET after delete: %d, want 404", st)
	}
}

func checkProcessUpload(e *entry) {
	f := e.createFox()
	e.putSide(f)
	if s := e.status(f.ID); s != "PENDING" {
		e.t.Fatalf("before the event: %s", s)
	}
	r := e.start("BUCKET_NAME=" + sideBucket)
	// An event naming a bucket other than the function's is ignored: the
	// key alone must not let another bucket's object settle a file.
	e.invoke(r, e.event(sampleFileID, f.ID))
	if s := e.status(f.ID); s != "PENDING" {
		e.t.Fatalf("after an event from bucket %s (the function's is %s): %s, want PENDING", sampleBucket, sideBucket, s)
	}
	e.invoke(r, e.event(sampleFileID, f.ID, sampleBucket, sideBucket))
	if s := e.status(f.ID); s != "COMPLETED" {
		e.t.Errorf("after the event: %s, want COMPLETED", s)
	}
}

func checkCleanup(e *entry) {
	f := e.createFox()
	key := e.putSide(f)
	// What TTL does before the stream record exists: the item goes.
	_, err := stack.DynamoClient().DeleteItem(e.t.Context(), &dynamodb.DeleteItemInput{
		TableName: aws.String(localstack.TableName),
		Key: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: "P#" + e.ten.ProjectID},
			"sk": &ddbtypes.AttributeValueMemberS{Value: "F#" + f.ID},
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	var resp events.DynamoDBEventResponse
	e.decode(e.invoke(e.start("BUCKET_NAME="+sideBucket), e.event(sampleFileID, f.ID)), &resp)
	if len(resp.BatchItemFailures) != 0 {
		e.t.Errorf("batch item failures: %+v", resp.BatchItemFailures)
	}
	_, err = stack.S3Client().HeadObject(e.t.Context(), &s3.HeadObjectInput{Bucket: aws.String(sideBucket), Key: aws.String(key)})
	if nf := new(s3types.NotFound); !errors.As(err, &nf) {
		e.t.Errorf("object of the expired record: HeadObject = %v, want NotFound", err)
	}
}

// The sample's two records (a file created, then completed) count once in
// the tenant's project, however often the batch is delivered. The file is
// the sample's, not in the table, so the stack's own stream feed never
// counts it: only this invocation can.
func checkCounters(e *entry) {
	r := e.start()
	for range 2 {
		var resp events.DynamoDBTimeWindowEventResponse
		e.decode(e.invoke(r, e.event()), &resp)
		if len(resp.BatchItemFailures) != 0 {
			e.t.Errorf("batch item failures: %+v", resp.BatchItemFailures)
		}
	}
	var native struct{ TotalCount int }
	var compat struct {
		TotalSize int `json:"total_size"`
	}
	e.ten.Call("GET", "/v1/files?limit=1", nil, &native)
	e.ten.Call("GET", "/api/v1/beta/files?page_size=1", nil, &compat)
	if native.TotalCount != 1 || compat.TotalSize != 1 {
		e.t.Errorf("after the batch, delivered twice: totalCount %d, total_size %d; want 1 and 1", native.TotalCount, compat.TotalSize)
	}
}

func checkReconcile(e *entry) {
	// A table and bucket of its own (no events), holding an upload whose
	// S3 event was lost and whose session has ended: what the scheduled run
	// settles from the records. The stack's table is other tests' to expire.
	own := ownTableAndBucket(e.t)
	opened := useCasesOn(wiring.Store(own), s3wiring.Storage(own), files.Options{Clock: func() time.Time { return time.Now().Add(-20 * time.Minute) }})
	c, err := opened.Create(e.t.Context(), files.CreateInput{ProjectID: e.ten.ProjectID, Declared: files.Declared{Filename: "fox.txt", MimeType: "text/plain", SizeBytes: int64(len(fox))}})
	if err != nil {
		e.t.Fatal(err)
	}
	putRaw(e.t, own, c.File.ObjectKey, []byte(fox), "text/plain")
	r := e.start("BUCKET_NAME="+own.Config.BucketName, "TABLE_NAME="+own.Config.TableName)
	var rep upload.ReconcileReport
	e.decode(e.invoke(r, e.event()), &rep)
	got, err := wiring.Store(own).Get(e.t.Context(), e.ten.ProjectID, c.File.ID)
	if err != nil || got.Status != files.StatusCompleted || rep.Settled != 1 || !rep.Done {
		e.t.Errorf("the lost upload: %v (%v), report %+v; want it COMPLETED by one run", got, err, rep)
	}
}

// A GuardDuty result reaching scan-result settles the file it names,
// validating it first when the object's S3 event has not been handled; a
// result for another bucket changes nothing.
func checkScanResult(e *entry) {
	f := e.createFox()
	e.putSide(f)
	r := e.start("BUCKET_NAME="+sideBucket, "SCAN_MODE=guardduty")
	e.invoke(r, e.event(sampleFileID, f.ID))
	if s := e.status(f.ID); s != "PENDING" {
		e.t.Fatalf("after a result from bucket %s (the function's is %s): %s, want PENDING", sampleBucket, sideBucket, s)
	}
	e.invoke(r, e.event(sampleFileID, f.ID, sampleBucket, sideBucket))
	if s := e.status(f.ID); s != "COMPLETED" {
		e.t.Errorf("after a clean result: %s, want COMPLETED", s)
	}
}

// compatFile is the part of LlamaCloud's File the checks read.
type compatFile struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	ProjectID      string  `json:"project_id"`
	FileSize       int64   `json:"file_size"`
	ExternalFileID *string `json:"external_file_id"`
	DownloadURL    *struct {
		URL string `json:"url"`
	} `json:"download_url"`
}

// The compat samples name the file meeting-notes.txt (their filters use it).
const compatName = "meeting-notes.txt"

func checkCompatUpload(e *entry) {
	st, body := e.http(e.event()) // multipart, base64 as API Gateway sends it
	var f compatFile
	e.decode(body, &f)
	id, ok := files.CanonicalID(f.ID)
	if st != http.StatusOK || !ok || files.UUIDString(id) != f.ID || f.Name != compatName || f.FileSize != int64(len(fox)) ||
		f.ProjectID != e.ten.ProjectID || f.ExternalFileID == nil || *f.ExternalFileID != "crm-attachment-8812" {
		e.t.Fatalf("upload: %d %s", st, body)
	}
	if s := e.status(id); s != "COMPLETED" {
		e.t.Errorf("uploaded file is %s, want COMPLETED", s)
	}
}

// checkCompatList serves both listing routes (GET and the POST /query form).
func checkCompatList(e *entry) {
	f := e.completedFox(compatName)
	st, body := e.http(e.event())
	var page struct {
		Items     []compatFile `json:"items"`
		TotalSize int          `json:"total_size"`
	}
	e.decode(body, &page)
	if st != http.StatusOK || page.TotalSize != 1 || len(page.Items) != 1 || page.Items[0].ID != files.UUIDString(f.ID) {
		e.t.Errorf("list: %d %s", st, body)
	}
}

func checkCompatGet(e *entry) {
	f := e.completedFox(compatName)
	st, body := e.http(e.event(sampleFileID, f.ID))
	var got compatFile
	e.decode(body, &got)
	if st != http.StatusOK || got.ID != files.UUIDString(f.ID) || got.DownloadURL == nil { // the sample asks expand=download_url
		e.t.Fatalf("get: %d %s", st, body)
	}
	e.fetch(got.DownloadURL.URL)
}

func checkCompatContent(e *entry) {
	f := e.completedFox(compatName)
	st, body := e.http(e.event(sampleFileID, f.ID))
	var u struct {
		URL       string `json:"url"`
		ExpiresAt string `json:"expires_at"`
	}
	e.decode(body, &u)
	if st != http.StatusOK || u.ExpiresAt == "" {
		e.t.Fatalf("content: %d %s", st, body)
	}
	e.fetch(u.URL)
}

func checkCompatDelete(e *entry) {
	f := e.completedFox(compatName)
	if st, body := e.http(e.event(sampleFileID, f.ID)); st != http.StatusNoContent {
		e.t.Fatalf("delete: %d %s", st, body)
	}
	if st := e.ten.Call("GET", "/v1/files/"+f.ID, nil, nil); st != http.StatusNotFound {
		e.t.Errorf("GET after delete: %d, want 404", st)
	}
}

// checkDefaultRoute: the sample PUTs a file, which no route does (405, in
// the native envelope); a path under /api/v1/beta/ is answered as FastAPI.
func checkDefaultRoute(e *entry) {
	st, body := e.http(e.event())
	var native struct {
		Error struct{ Type, Message string }
	}
	e.decode(body, &native)
	if st != http.StatusMethodNotAllowed || native.Error.Type != "method_not_allowed" || native.Error.Message == "" {
		e.t.Errorf("PUT /v1/files/{id}: %d %s", st, body)
	}
	st, body = e.http(e.event("/v1/files/"+sampleFileID, "/api/v1/beta/folders"))
	if st != http.StatusNotFound || strings.TrimSpace(string(body)) != `{"detail":"Not Found"}` {
		e.t.Errorf("PUT /api/v1/beta/folders: %d %s", st, body)
	}
}

// checkRoute is the check of an HTTP function entryChecks does not name, so
// a read-only endpoint over an existing use case needs no check of its own:
// its route's sample (on a file of the tenant's, when it names one) is
// answered as openapi/*.yaml documents it, without a 5xx and without
// refusing the tenant's key.
func checkRoute(e *entry) {
	ev := e.event()
	if bytes.Contains(e.sample, []byte(sampleFileID)) {
		ev = e.event(sampleFileID, e.createFox().ID)
	}
	var req events.APIGatewayV2HTTPRequest
	e.decode(ev, &req)
	st, header, body := e.response(ev)
	if st >= 500 || st == http.StatusUnauthorized || st == http.StatusForbidden {
		e.t.Errorf("%s: %d %s", req.RouteKey, st, body)
	}
	check, err := openapicheck.For(stack.APIURL)
	if err != nil {
		e.t.Fatal(err)
	}
	r, err := http.NewRequest(req.RequestContext.HTTP.Method, stack.APIURL+req.RawPath+"?"+req.RawQueryString, strings.NewReader(req.Body))
	if err != nil {
		e.t.Fatal(err)
	}
	if problem := check.Check(r, st, header, body); problem != "" {
		e.t.Errorf("openapi: %s", problem)
	}
}
