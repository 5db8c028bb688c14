// Package events_test keeps the sample events honest: each one decodes into
// the aws-lambda-go type its function receives with nothing lost, and says
// the same thing everywhere it says it (route, path, ids, keys). The e2e
// entry test (infra/e2e/entry_test.go) then feeds them to the real binaries.
package events_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/infra/lambdaruntime"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/infra/sampleevents"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/guardduty"
	"github.com/filegate/filegate/shared/streamevents"
	"github.com/filegate/filegate/shared/wiring"
)

func TestSamples(t *testing.T) {
	names, err := filepath.Glob("*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	// Which functions need a sample is template.yaml's call: the template
	// test and the e2e entry test demand one per function it deploys.
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			// The shape says which source sent it.
			var probe struct {
				Type       string `json:"type"`
				RouteKey   string `json:"routeKey"`
				DetailType string `json:"detail-type"`
				ShardID    string `json:"shardId"`
				Records    []struct {
					EventSource string `json:"eventSource"`
				} `json:"Records"`
			}
			if err := json.Unmarshal(raw, &probe); err != nil {
				t.Fatal(err)
			}
			switch {
			case probe.Type == "REQUEST":
				checkAuthorizer(t, decode[events.APIGatewayV2CustomAuthorizerV2Request](t, raw))
			case probe.RouteKey != "":
				checkHTTP(t, name, decode[events.APIGatewayV2HTTPRequest](t, raw))
			case probe.DetailType == guardduty.DetailType:
				checkScanResult(t, decode[events.EventBridgeEvent](t, raw))
			case probe.DetailType != "":
				checkScheduled(t, decode[events.EventBridgeEvent](t, raw))
			case len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:s3":
				checkS3(t, decode[events.S3Event](t, raw))
			case len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:dynamodb" && probe.ShardID != "":
				checkFileChanges(t, decode[events.DynamoDBTimeWindowEvent](t, raw))
			case len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:dynamodb" && name == "dynamodb-file-events.json":
				checkFileEvents(t, decode[events.DynamoDBEvent](t, raw))
			case len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:dynamodb":
				checkTTLRemove(t, decode[events.DynamoDBEvent](t, raw))
			default:
				t.Fatal("not an event of a source Filegate uses")
			}
		})
	}
}

// TestDefaultSamples holds sampleevents.Default (the sample of an HTTP
// function that commits none) to what TestSamples asks of a committed one,
// for the route of every function with one route, committed sample or not.
func TestDefaultSamples(t *testing.T) {
	tpl, err := samtemplate.ReadTemplate("../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for id, f := range tpl.Functions {
		route, ok := sampleevents.OnlyRoute(f)
		if !ok {
			continue
		}
		n++
		t.Run(id, func(t *testing.T) {
			raw, err := sampleevents.Default(route)
			if err != nil {
				t.Fatal(err)
			}
			checkHTTP(t, sampleevents.Name(id), decode[events.APIGatewayV2HTTPRequest](t, raw))
		})
	}
	if n == 0 {
		t.Fatal("template.yaml has no function with one HTTP API route")
	}
}

// decode reads raw strictly into T (an unknown field is a field T would
// drop) and checks that re-encoding T keeps every value of raw.
func decode[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("does not decode into %T: %v", v, err)
	}
	again, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(again, &got); err != nil {
		t.Fatal(err)
	}
	for _, p := range lost("", want, got) {
		t.Errorf("%T loses %s", v, p)
	}
	return v
}

// lost lists the paths of want whose values got does not carry (got may add zero fields).
func lost(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path}
		}
		var out []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, path+"."+k)
				continue
			}
			out = append(out, lost(path+"."+k, wv, gv)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{path}
		}
		var out []string
		for i := range w {
			out = append(out, lost(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s (%v became %v)", path, want, got)}
		}
		return nil
	}
}

// checkHTTP checks an HTTP API request against its route in template.yaml.
func checkHTTP(t *testing.T, name string, ev events.APIGatewayV2HTTPRequest) {
	rc := ev.RequestContext
	tpl, err := samtemplate.ReadTemplate("../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var logicalID string
	for id, f := range tpl.Functions {
		if slices.Contains(f.Routes, ev.RouteKey) {
			logicalID = id
		}
	}
	if logicalID == "" {
		t.Fatalf("routeKey %q is no Filegate route", ev.RouteKey)
	}
	if want := lambdaruntime.FunctionDir(logicalID) + ".json"; name != want {
		t.Errorf("the sample of %s must be named %s", logicalID, want)
	}
	method, pattern, _ := strings.Cut(ev.RouteKey, " ")
	path := expand(pattern, ev.PathParameters)
	if ev.RouteKey == wiring.DefaultRoute {
		// $default takes any method and path, and has no path parameters.
		method, path = rc.HTTP.Method, ev.RawPath
		if len(ev.PathParameters) > 0 || !strings.HasPrefix(path, "/") {
			t.Errorf("$default event with path %q and parameters %v", path, ev.PathParameters)
		}
	}
	if ev.Version != "2.0" || rc.RouteKey != ev.RouteKey || rc.Stage != "$default" || rc.HTTP.Method != method {
		t.Errorf("version %q, requestContext routeKey %q stage %q method %q disagree with %q",
			ev.Version, rc.RouteKey, rc.Stage, rc.HTTP.Method, ev.RouteKey)
	}
	if ev.RawPath != path || rc.HTTP.Path != path {
		t.Errorf("rawPath %q / http.path %q, want %q", ev.RawPath, rc.HTTP.Path, path)
	}
	if id, ok := ev.PathParameters["id"]; ok {
		if strings.HasPrefix(ev.RawPath, "/v1/webhook-endpoints/") {
			if !fileevents.ValidEndpointID(id) {
				t.Errorf("pathParameters.id %q is not a webhook endpoint id", id)
			}
		} else if !files.ValidID(id) {
			t.Errorf("pathParameters.id %q is not a file id", id)
		}
	}
	if id, ok := ev.PathParameters["eventId"]; ok && !fileevents.ValidEventID(id) {
		t.Errorf("pathParameters.eventId %q is not an event id", id)
	}
	if rc.Authorizer == nil {
		t.Fatal("requestContext.authorizer is missing")
	}
	q, err := url.ParseQuery(ev.RawQueryString)
	if p := q.Get("project_id"); p != "" && p != rc.Authorizer.Lambda["projectId"] {
		t.Errorf("project_id %q is not the key's project", p)
	}
	if err != nil || len(q) != len(ev.QueryStringParameters) {
		t.Errorf("rawQueryString %q vs queryStringParameters %v", ev.RawQueryString, ev.QueryStringParameters)
	}
	for k, v := range ev.QueryStringParameters {
		if strings.Join(q[k], ",") != v {
			t.Errorf("query %s: %q vs %q", k, q[k], v)
		}
	}
	// API Gateway base64-encodes bodies that are not text (multipart too).
	body := []byte(ev.Body)
	ctype := ev.Headers["content-type"]
	if ev.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil || strings.HasPrefix(ctype, "application/json") {
			t.Errorf("isBase64Encoded with content-type %q: %v", ctype, err)
		}
	}
	if strings.HasPrefix(ctype, "application/json") && !json.Valid(body) {
		t.Errorf("body is not JSON: %s", body)
	}
	if (len(body) > 0) != (ctype != "") {
		t.Errorf("content-type %q with a %d-byte body", ctype, len(body))
	}
	if n, _ := strconv.Atoi(ev.Headers["content-length"]); n != len(body) {
		t.Errorf("content-length %q, body has %d bytes", ev.Headers["content-length"], len(body))
	}
	if _, ok := auth.BearerSecret(ev.Headers["authorization"]); !ok {
		t.Errorf("authorization header %q is no Bearer key", ev.Headers["authorization"])
	}
	checkTime(t, rc.Time, rc.TimeEpoch)
	p, ok := auth.PrincipalFromLambdaContext(rc.Authorizer.Lambda)
	if !ok || !auth.ValidUUID(p.OrganizationID) || !auth.ValidUUID(p.ProjectID) ||
		!reflect.DeepEqual(p.LambdaContext(), rc.Authorizer.Lambda) || !p.Can(auth.ScopeCreate) || !p.Can(auth.ScopeRead) {
		t.Errorf("authorizer.lambda %v is not what the authorizer returns", rc.Authorizer.Lambda)
	}
}

// expand fills a route pattern's {name} segments.
func expand(pattern string, params map[string]string) string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = params[strings.Trim(s, "{}")]
		}
	}
	return strings.Join(segs, "/")
}

func checkTime(t *testing.T, s string, epochMS int64) {
	t.Helper()
	at, err := time.Parse("02/Jan/2006:15:04:05 -0700", s)
	if err != nil || at.Unix() != epochMS/1000 {
		t.Errorf("time %q and timeEpoch %d disagree (%v)", s, epochMS, err)
	}
}

func checkAuthorizer(t *testing.T, ev events.APIGatewayV2CustomAuthorizerV2Request) {
	if ev.Version != "2.0" || ev.Type != "REQUEST" || len(ev.IdentitySource) != 1 {
		t.Fatalf("version %q type %q identitySource %v", ev.Version, ev.Type, ev.IdentitySource)
	}
	if _, ok := auth.BearerSecret(ev.IdentitySource[0]); !ok || ev.IdentitySource[0] != ev.Headers["authorization"] {
		t.Errorf("identitySource %v must be the Bearer authorization header", ev.IdentitySource)
	}
	method, _, _ := strings.Cut(ev.RouteKey, " ")
	if !strings.HasSuffix(ev.RouteArn, "/$default/"+method+ev.RawPath) || ev.RequestContext.Authorizer != nil {
		t.Errorf("routeArn %q does not match %s %s (or an authorizer context is present)", ev.RouteArn, method, ev.RawPath)
	}
	checkTime(t, ev.RequestContext.Time, ev.RequestContext.TimeEpoch)
}

func checkScheduled(t *testing.T, ev events.EventBridgeEvent) {
	if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" || len(ev.Resources) != 1 ||
		!strings.HasPrefix(ev.Resources[0], "arn:aws:events:"+ev.Region+":"+ev.AccountID+":rule/") {
		t.Errorf("not an EventBridge schedule: %+v", ev)
	}
}

func checkScanResult(t *testing.T, ev events.EventBridgeEvent) {
	r, err := guardduty.Decode(ev)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := files.ParseObjectKey(r.Key); !ok {
		t.Errorf("key %q is not in Filegate's layout", r.Key)
	}
	if v, ok := guardduty.Verdict(r.Status, r.Threats); !ok || v.Verdict != files.ScanClean {
		t.Errorf("status %q: verdict %+v, want the clean one", r.Status, v)
	}
	if len(ev.Resources) != 1 || !strings.HasPrefix(ev.Resources[0], "arn:aws:guardduty:"+ev.Region+":"+ev.AccountID+":malware-protection-plan/") {
		t.Errorf("resources %v: not a malware protection plan of the event's account", ev.Resources)
	}
}

func checkS3(t *testing.T, ev events.S3Event) {
	if len(ev.Records) != 1 {
		t.Fatalf("%d records", len(ev.Records))
	}
	r := ev.Records[0]
	if r.EventSource != "aws:s3" || r.EventName != "ObjectCreated:Put" || r.S3.Bucket.Arn != "arn:aws:s3:::"+r.S3.Bucket.Name {
		t.Errorf("eventSource %q eventName %q bucket %q arn %q", r.EventSource, r.EventName, r.S3.Bucket.Name, r.S3.Bucket.Arn)
	}
	key := r.S3.Object.URLDecodedKey
	if _, _, ok := files.ParseObjectKey(key); !ok {
		t.Errorf("key %q is not in Filegate's layout", key)
	}
	// S3 sends keys form-encoded, slashes kept.
	if enc := strings.ReplaceAll(url.QueryEscape(key), "%2F", "/"); enc != r.S3.Object.Key {
		t.Errorf("key %q is not encoded as S3 does (%q)", r.S3.Object.Key, enc)
	}
}

func checkTTLRemove(t *testing.T, ev events.DynamoDBEvent) {
	if len(ev.Records) != 1 {
		t.Fatalf("%d records", len(ev.Records))
	}
	r := ev.Records[0]
	if r.EventName != "REMOVE" || r.EventSource != "aws:dynamodb" || r.UserIdentity == nil ||
		r.UserIdentity.Type != "Service" || r.UserIdentity.PrincipalID != "dynamodb.amazonaws.com" {
		t.Errorf("not a TTL removal: eventName %q source %q userIdentity %+v", r.EventName, r.EventSource, r.UserIdentity)
	}
	c := r.Change
	if c.StreamViewType != "NEW_AND_OLD_IMAGES" || c.NewImage != nil || c.OldImage == nil {
		t.Fatalf("streamViewType %q, NewImage %v: want the old image only", c.StreamViewType, c.NewImage)
	}
	s := func(name string) string {
		if v, ok := c.OldImage[name]; ok && v.DataType() == events.DataTypeString {
			return v.String()
		}
		t.Errorf("OldImage.%s is not a string", name)
		return ""
	}
	project, id := s("projectId"), s("id")
	fileID, stored := files.StoredFileID(id)
	if s("pk") != "P#"+project || s("sk") != "F#"+id || s("lpk") != "P#"+project || s("lsk") != id ||
		!stored || s("objectKey") != files.ObjectKey(project, fileID) || !auth.ValidUUID(project) {
		t.Errorf("OldImage is not a file item in the dynamostore layout")
	}
	if c.Keys["pk"].String() != s("pk") || c.Keys["sk"].String() != s("sk") || len(c.Keys) != 2 {
		t.Errorf("Keys %v do not match the OldImage", c.Keys)
	}
	for _, name := range []string{"createdAt", "updatedAt", "uploadExpiresAt"} {
		if _, err := time.Parse(time.RFC3339Nano, s(name)); err != nil {
			t.Errorf("OldImage.%s: %v", name, err)
		}
	}
	ttl, err := c.OldImage["ttl"].Integer()
	if err != nil || ttl > c.ApproximateCreationDateTime.Unix() {
		t.Errorf("ttl %d (%v) must have passed before the removal at %d", ttl, err, c.ApproximateCreationDateTime.Unix())
	}
}

// checkFileChanges: the counters sample is a tumbling-window batch (it names
// its shard) of one file's INSERT, then its MODIFY into COMPLETED, in
// stream order, with images in the dynamostore layout.
func checkFileChanges(t *testing.T, ev events.DynamoDBTimeWindowEvent) {
	if ev.ShardID == "" || ev.EventSourceARN == "" || len(ev.Records) != 2 {
		t.Fatalf("shardId %q, eventSourceARN %q, %d records; want a shard's batch of 2", ev.ShardID, ev.EventSourceARN, len(ev.Records))
	}
	file := func(img map[string]events.DynamoDBAttributeValue) *files.File {
		item, err := streamevents.ItemFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		f, ok := dynamostore.FileFromItem(item)
		if !ok {
			t.Fatal("an image is not a file item in the dynamostore layout")
		}
		return f
	}
	ins, mod := ev.Records[0], ev.Records[1]
	if ins.EventName != "INSERT" || ins.Change.OldImage != nil || mod.EventName != "MODIFY" {
		t.Fatalf("records %s, %s; want an INSERT (new image only), then a MODIFY", ins.EventName, mod.EventName)
	}
	created, before, after := file(ins.Change.NewImage), file(mod.Change.OldImage), file(mod.Change.NewImage)
	if created.ID != after.ID || before.ID != after.ID || before.Status != files.StatusPending || after.Status != files.StatusCompleted {
		t.Errorf("not one file's creation and completion: %s %s→%s", created.ID, before.Status, after.Status)
	}
	a, okA := new(big.Int).SetString(ins.Change.SequenceNumber, 10)
	b, okB := new(big.Int).SetString(mod.Change.SequenceNumber, 10)
	if !okA || !okB || b.Cmp(a) <= 0 {
		t.Errorf("sequence numbers %s, %s: want increasing", ins.Change.SequenceNumber, mod.Change.SequenceNumber)
	}
}

// checkFileEvents: the events consumer's sample is a plain stream batch
// (no window) of one file's MODIFY into COMPLETED, then its REMOVE by a
// client (no TTL userIdentity), each of which is an event.
func checkFileEvents(t *testing.T, ev events.DynamoDBEvent) {
	if len(ev.Records) != 2 {
		t.Fatalf("%d records, want 2", len(ev.Records))
	}
	var types []fileevents.Type
	for _, r := range ev.Records {
		var c fileevents.Change
		for img, dst := range map[*map[string]events.DynamoDBAttributeValue]**files.File{&r.Change.OldImage: &c.Old, &r.Change.NewImage: &c.New} {
			if len(*img) == 0 {
				continue
			}
			item, err := streamevents.ItemFromImage(*img)
			if err != nil {
				t.Fatal(err)
			}
			f, ok := dynamostore.FileFromItem(item)
			if !ok {
				t.Fatal("an image is not a file item in the dynamostore layout")
			}
			*dst = f
		}
		c.ByTTL, c.At = streamevents.IsTTLRemove(r), r.Change.ApproximateCreationDateTime.Time
		e, ok := c.Event()
		if !ok {
			t.Fatalf("record %s is no event", r.EventName)
		}
		types = append(types, e.Type)
		if e.Type == fileevents.Deleted && e.Reason != fileevents.ReasonAPI {
			t.Errorf("the REMOVE is a deletion for %q, want %q", e.Reason, fileevents.ReasonAPI)
		}
	}
	if !slices.Equal(types, []fileevents.Type{fileevents.Completed, fileevents.Deleted}) {
		t.Errorf("events %v, want file.completed then file.deleted", types)
	}
}
