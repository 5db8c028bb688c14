package e2e

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/ratelimit"
)

// itemKinds are the partition-key prefixes of everything the table holds
// (shared/dynamostore): P# a project's files, counts and positions; I#
// idempotency records; JOB# a background job's cursor and lease; K# API
// keys; T# an upload token's ledger; LIMIT# the operator's rate limits and
// quotas; RATE# a tenant's rate-limit buckets; W# a project's webhook
// endpoints; D# their deliveries. The table's stream carries every
// item's old and new image to its consumers, so none of them may hold a
// secret: signing secrets live outside it (the root secret).
var itemKinds = []string{"P#", "I#", "JOB#", "K#", "T#", "LIMIT#", "RATE#", "W#", "D#"}

// TestNoItemHoldsASecret runs every flow that writes the table (token mint,
// renewal and creates, keyed create, single-PUT and multipart uploads,
// complete, cancel, delete, a compat upload, key rotation, reconcile, the
// counter consumer), then reads every item of the table: each is of a known
// kind, every kind is there, and no attribute holds a signing secret.
func TestNoItemHoldsASecret(t *testing.T) {
	ctx := context.Background()
	ten := newTenant(t)
	// Far above what the flows below spend: the operator's override is one
	// more kind of item, and the flows fill the tenant's buckets.
	setLimits(t, ten.OrgID, "", dynamostore.ProjectLimits{Rates: ratelimit.Rates{Write: 10_000, Read: 10_000, Search: 10_000}})
	browser, m := mintToken(t, ten.Tenant, map[string]any{"maxFiles": 3})
	f := browser.Create("scan.pdf", "application/pdf", len(pdfBytes), "")
	if st := put(t, f.UploadURL, f.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("PUT: %d", st)
	}
	var done filegate.File
	if st := browser.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, &done); st != http.StatusOK || done.Status != "COMPLETED" {
		t.Fatalf("complete with the token: %d %s", st, done.Status)
	}
	renewed, _ := mintToken(t, ten.Tenant, map[string]any{"renew": m.Token})
	cancelled := renewed.Create("b.pdf", "application/pdf", 5, "")
	if st := renewed.Call("POST", "/v1/files/"+cancelled.ID+"/cancel", map[string]any{}, nil); st != http.StatusOK {
		t.Fatalf("cancel with the renewed token: %d", st)
	}
	if st, _, _ := ten.postWithKey("/v1/files", "secret-scan", map[string]any{"filename": "k.pdf", "mimeType": "application/pdf", "sizeBytes": 5}); st != http.StatusOK {
		t.Fatalf("keyed create: %d", st)
	}
	var mp filegate.File
	if st := ten.Call("POST", "/v1/files", map[string]any{"filename": "big.bin", "mimeType": "application/octet-stream", "sizeBytes": 6 << 20, "multipart": map[string]any{"partSizeBytes": 5 << 20}}, &mp); st != http.StatusOK {
		t.Fatalf("multipart create: %d", st)
	}
	if st := ten.Call("POST", "/v1/files/"+mp.ID+"/cancel", map[string]any{}, nil); st != http.StatusOK {
		t.Fatalf("multipart cancel: %d", st)
	}
	if st, body := compatUpload(t, ten.Key, "c.txt", "user_data", []byte("compat bytes")); st != http.StatusOK {
		t.Fatalf("compat upload: %d %s", st, body)
	}
	if st := ten.Call("DELETE", "/v1/files/"+done.ID, nil, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	if _, err := stack.ReconcileAll(ctx); err != nil {
		t.Fatal(err)
	}
	ten.waitCounts(4, 1) // the counter consumer has run over these records
	keys := dynamostore.NewKeys(dynamo.NewFromIface(stack.DynamoClient()), localstack.TableName)
	if _, err := auth.Rotate(ctx, keys, ten.Key, time.Now()); err != nil {
		t.Fatal(err)
	}

	// A webhook endpoint (W#) and a delivery to it (D#): the endpoint's
	// signing secret is answered once and derives from the root secret.
	hooks, r := webhooksTenant(t), receiver(t)
	ep := hooks.register(r, "file.cancelled")
	hooked := hooks.Create("w.pdf", "application/pdf", 5, "")
	if st := hooks.Call("POST", "/v1/files/"+hooked.ID+"/cancel", map[string]any{}, nil); st != http.StatusOK {
		t.Fatalf("cancel with a webhook endpoint: %d", st)
	}
	sendWebhooks(t)
	waitEvents(t, r, []want{{"file.cancelled", hooked.ID, ""}})

	secrets := stackSecrets(t)
	secrets[ep.Secret] = "a webhook endpoint's signing secret"
	secrets[strings.TrimPrefix(ep.Secret, "whsec_")] = "a webhook endpoint's signing secret (its key)"
	items := scanTable(t)
	seen := map[string]int{}
	for _, it := range items {
		for name, v := range it {
			for _, s := range attrValues(v) {
				if what := holdsSecret(s, secrets); what != "" {
					t.Errorf("item pk %q sk %q: attribute %s holds %s", attrS(it["pk"]), attrS(it["sk"]), name, what)
				}
			}
		}
		pk := attrS(it["pk"])
		kind := ""
		for _, k := range itemKinds {
			if strings.HasPrefix(pk, k) {
				kind = k
			}
		}
		if kind == "" {
			t.Errorf("an item of unknown kind: pk %q sk %q (attributes %v)", pk, attrS(it["sk"]), slices.Sorted(mapsKeys(it)))
		}
		seen[kind]++
	}
	for _, k := range itemKinds {
		if seen[k] == 0 {
			t.Errorf("no %s item after the flows: the scan proves nothing about that kind", k)
		}
	}
	t.Logf("%d items scanned: %v", len(items), seen)
}

// stackSecrets are the stack's root secret (each version in its file) and
// the upload-token keys derived from it for yesterday, today and tomorrow,
// each in every spelling a store might use (raw, hex, base64 and base64url),
// by what they are.
func stackSecrets(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(stack.RootSecretFile)
	if err != nil {
		t.Fatal(err)
	}
	plain := map[string][]byte{}
	for i, line := range strings.Fields(string(raw)) {
		plain[fmt.Sprintf("the root secret (version %d)", i)] = []byte(line)
	}
	for _, d := range []time.Duration{-24 * time.Hour, 0, 24 * time.Hour} {
		k, err := stackKeys(t).Signing(context.Background(), time.Now().Add(d))
		if err != nil {
			t.Fatal(err)
		}
		plain["the signing key "+k.ID] = k.Secret
	}
	out := map[string]string{}
	for what, b := range plain {
		for enc, v := range map[string]string{"": string(b), " (hex)": hex.EncodeToString(b), " (base64)": base64.StdEncoding.EncodeToString(b),
			" (base64url)": base64.RawURLEncoding.EncodeToString(b), " (base64, unpadded)": base64.RawStdEncoding.EncodeToString(b)} {
			out[v] = what + enc
		}
	}
	// The search must be able to fail: a value holding a key is found.
	for v, what := range out {
		if holdsSecret("x"+v+"y", out) == "" {
			t.Fatalf("the search misses %s", what)
		}
	}
	return out
}

// holdsSecret names the secret s contains, or is "".
func holdsSecret(s string, secrets map[string]string) string {
	for v, what := range secrets {
		if strings.Contains(s, v) {
			return what
		}
	}
	return ""
}

// scanTable reads every item of the local table (straight from DynamoDB
// Local: no function's role may scan).
func scanTable(t *testing.T) []map[string]ddbtypes.AttributeValue {
	t.Helper()
	var out []map[string]ddbtypes.AttributeValue
	p := dynamodb.NewScanPaginator(stack.DynamoClient(), &dynamodb.ScanInput{TableName: aws.String(localstack.TableName), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
	}
	return out
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// attrValues renders every string, binary and number of an attribute
// (recursively through lists, maps and sets) for the secret search.
func attrValues(v ddbtypes.AttributeValue) []string {
	switch a := v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return []string{a.Value}
	case *ddbtypes.AttributeValueMemberN:
		return []string{a.Value}
	case *ddbtypes.AttributeValueMemberB:
		return []string{string(a.Value)}
	case *ddbtypes.AttributeValueMemberSS:
		return a.Value
	case *ddbtypes.AttributeValueMemberNS:
		return a.Value
	case *ddbtypes.AttributeValueMemberBS:
		var out []string
		for _, b := range a.Value {
			out = append(out, string(b))
		}
		return out
	case *ddbtypes.AttributeValueMemberL:
		var out []string
		for _, e := range a.Value {
			out = append(out, attrValues(e)...)
		}
		return out
	case *ddbtypes.AttributeValueMemberM:
		var out []string
		for _, e := range a.Value {
			out = append(out, attrValues(e)...)
		}
		return out
	}
	return nil
}
