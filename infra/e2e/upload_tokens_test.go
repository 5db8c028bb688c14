package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/uploadtoken"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/tokenwiring"
)

// mintedToken is POST /v1/upload-tokens's answer.
type mintedToken struct {
	Object    string   `json:"object"`
	Token     string   `json:"token"`
	ExpiresAt string   `json:"expiresAt"`
	MaxFiles  int      `json:"maxFiles"`
	MaxBytes  int64    `json:"maxBytes"`
	MimeTypes []string `json:"mimeTypes"`
	Purpose   *string  `json:"purpose"`
}

// mintToken mints a token with ten's key and returns a tenant that calls
// the API with it, as a browser would.
func mintToken(t *testing.T, ten *apitest.Tenant, req map[string]any) (*apitest.Tenant, mintedToken) {
	t.Helper()
	var m mintedToken
	if st := ten.Call("POST", "/v1/upload-tokens", req, &m); st != http.StatusOK || !strings.HasPrefix(m.Token, auth.TokenPrefix) {
		t.Fatalf("mint %v: %d %+v", req, st, m)
	}
	return ten.WithKey(m.Token), m
}

// refused calls and checks the status and the error's code.
func refused(t *testing.T, c *apitest.Tenant, what, method, path string, body any, status int, code string) {
	t.Helper()
	var e apitest.ErrorEnvelope
	if st := c.Call(method, path, body, &e); st != status || (code != "" && e.Error.Code != code) {
		t.Errorf("%s: %d %q (%s), want %d %q", what, st, e.Error.Code, e.Error.Message, status, code)
	}
}

func pdf(size int, purpose string) map[string]any {
	b := map[string]any{"filename": "a.pdf", "mimeType": "application/pdf", "sizeBytes": size}
	if purpose != "" {
		b["purpose"] = purpose
	}
	return b
}

// Every limit of a token is enforced by the API, each with a 4xx naming it.
func TestUploadTokenLimits(t *testing.T) {
	ten := apitest.NewTenant(t, stack)
	browser, m := mintToken(t, ten, map[string]any{"maxFiles": 2, "maxBytes": 100, "mimeTypes": []string{"application/pdf"}, "purpose": "knowledge_user"})
	if m.Object != "upload_token" || m.MaxFiles != 2 || m.MaxBytes != 100 || m.Purpose == nil || *m.Purpose != "knowledge_user" {
		t.Errorf("minted %+v", m)
	}
	refused(t, browser, "a MIME type the token does not allow", "POST", "/v1/files", map[string]any{"filename": "a.png", "mimeType": "image/png", "sizeBytes": 10}, 403, "token_mime_type")
	refused(t, browser, "another purpose", "POST", "/v1/files", pdf(10, "knowledge_workspace"), 403, "token_purpose")
	refused(t, browser, "one file over the byte budget", "POST", "/v1/files", pdf(101, ""), 403, "token_byte_limit")
	first := browser.Create("a.pdf", "application/pdf", 60, "")
	if first.Purpose == nil || *first.Purpose != "knowledge_user" {
		t.Errorf("a create without purpose: %v, want the token's", first.Purpose)
	}
	refused(t, browser, "files past the byte budget", "POST", "/v1/files", pdf(41, ""), 403, "token_byte_limit")
	browser.Create("b.pdf", "application/pdf", 40, "")
	refused(t, browser, "a file past the file budget", "POST", "/v1/files", pdf(1, ""), 403, "token_file_limit")
	// Refusals wrote nothing: the project holds the two files.
	var page struct{ Data []filegate.File }
	if st := ten.Call("GET", "/v1/files", nil, &page); st != 200 || len(page.Data) != 2 {
		t.Errorf("project after refusals: %d, %d files; want 2", st, len(page.Data))
	}
}

// A keyed create's retry is charged once: the token's budget counts files.
func TestUploadTokenKeyedRetryChargesOnce(t *testing.T) {
	ten := apitest.NewTenant(t, stack)
	browser, _ := mintToken(t, ten, map[string]any{"maxFiles": 1})
	body := `{"filename":"a.pdf","mimeType":"application/pdf","sizeBytes":5}`
	headers := map[string]string{"Idempotency-Key": "page-upload-1", "Authorization": "Bearer " + browser.Key, "Content-Type": "application/json"}
	var ids []string
	for range 2 {
		res, raw, err := apitest.Send(context.Background(), nil, "POST", browser.Base+"/v1/files", headers, strings.NewReader(body), int64(len(body)))
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("keyed create: %v %s", err, raw)
		}
		var f filegate.File
		_ = json.Unmarshal(raw, &f)
		ids = append(ids, f.ID)
	}
	if ids[0] == "" || ids[0] != ids[1] {
		t.Errorf("a keyed retry made files %v, want one", ids)
	}
	refused(t, browser, "a second file", "POST", "/v1/files", pdf(5, ""), 403, "token_file_limit")
}

// A token reaches only the files it created, through create, complete,
// cancel and get: no list, delete, download, mint, compat route, another
// file of its project or another project's file.
func TestUploadTokenScope(t *testing.T) {
	ten, other := apitest.NewTenant(t, stack), apitest.NewTenant(t, stack)
	browser, _ := mintToken(t, ten, nil)
	mine := browser.Create("mine.pdf", "application/pdf", 5, "")
	keys := ten.Create("keys.pdf", "application/pdf", 5, "")
	theirs := other.Create("theirs.pdf", "application/pdf", 5, "")
	if st := browser.Call("GET", "/v1/files/"+mine.ID, nil, nil); st != 200 {
		t.Errorf("GET its own file: %d", st)
	}
	for _, id := range []string{keys.ID, theirs.ID, "fil_06H0EN1ZAP202AP5WPNPHXF894"} {
		refused(t, browser, "GET "+id, "GET", "/v1/files/"+id, nil, 404, "not_found")
		refused(t, browser, "complete "+id, "POST", "/v1/files/"+id+"/complete", map[string]any{}, 404, "not_found")
		refused(t, browser, "cancel "+id, "POST", "/v1/files/"+id+"/cancel", map[string]any{}, 404, "not_found")
	}
	for what, call := range map[string][2]string{
		"list":     {"GET", "/v1/files"},
		"delete":   {"DELETE", "/v1/files/" + mine.ID},
		"download": {"GET", "/v1/files/" + mine.ID + "/url"},
		"mint":     {"POST", "/v1/upload-tokens"},
	} {
		refused(t, browser, what, call[0], call[1], nil, 403, "token_not_allowed")
	}
	if st := browser.Call("GET", "/api/v1/beta/files", nil, nil); st != 403 {
		t.Errorf("compat list with a token: %d, want 403", st)
	}
	if st := ten.Call("GET", "/v1/files/"+mine.ID, nil, nil); st != 200 {
		t.Errorf("the project's key reads the token's file: %d", st)
	}
	var f filegate.File
	if st := browser.Call("POST", "/v1/files/"+mine.ID+"/cancel", map[string]any{}, &f); st != 200 || f.Status != "CANCELLED" {
		t.Errorf("cancel its own file: %d %s", st, f.Status)
	}
}

// Expired, tampered and orphaned tokens are 401 at the gateway; minting
// bounds are 400s.
func TestUploadTokenRefused(t *testing.T) {
	ten := apitest.NewTenant(t, stack)
	_, m := mintToken(t, ten, map[string]any{"expiresInSeconds": 60})
	if exp, err := time.Parse(time.RFC3339, m.ExpiresAt); err != nil || time.Until(exp) > time.Minute || time.Until(exp) < 50*time.Second {
		t.Errorf("expiresAt %q: want a minute from now", m.ExpiresAt)
	}
	refused(t, ten, "a lifetime over an hour", "POST", "/v1/upload-tokens", map[string]any{"expiresInSeconds": 3601}, 400, "invalid_expires_in")
	refused(t, ten, "too many files", "POST", "/v1/upload-tokens", map[string]any{"maxFiles": 101}, 400, "invalid_max_files")

	// An expired token, genuinely signed with the stack's current key (of
	// the root secret, as the mint function reads it).
	g := uploadtoken.Grant{Token: auth.Token{ID: "utk_expired", ExpiresAt: time.Now().Add(-time.Second), MaxFiles: 1, MaxBytes: 1},
		OrganizationID: "o", ProjectID: ten.ProjectID, KeyHash: auth.Hash(ten.Key), IssuedAt: time.Now().Add(-time.Minute)}
	key, err := stackKeys(t).Signing(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	expired := uploadtoken.Sign(g, key)
	g.IssuedAt, g.ExpiresAt = time.Now(), time.Now().Add(time.Hour)
	live := uploadtoken.Sign(g, key)
	dot := strings.LastIndex(live, ".")
	tampered := uploadtoken.Sign(func() uploadtoken.Grant { h := g; h.MaxFiles = 100; return h }(), key)[:dot] + live[dot:]
	revokedKey, _ := stack.MintKey(context.Background(), apitest.NewUUID(), ten.ProjectID, auth.ScopeCreate)
	orphan := g
	orphan.KeyHash = auth.Hash(revokedKey)
	orphaned := uploadtoken.Sign(orphan, key)
	if _, err := auth.Rotate(context.Background(), dynamostore.NewKeys(env.DynamoDB(), env.Config.TableName), revokedKey, time.Now()); err != nil {
		t.Fatal(err)
	}
	forged := uploadtoken.Sign(g, uploadtoken.SigningKey{ID: key.ID, Secret: make([]byte, 32)})
	for name, token := range map[string]string{"expired": expired, "tampered": tampered, "minting key revoked": orphaned, "forged": forged, "garbage": "fgt_20260101.e30.AAAA"} {
		if st := ten.WithKey(token).Call("POST", "/v1/files", pdf(1, ""), nil); st != 401 {
			t.Errorf("%s token: %d, want 401", name, st)
		}
	}
	if ten.WithKey(live).Call("POST", "/v1/files", pdf(1, ""), nil) != 200 {
		t.Error("the untampered token does not work: the refusals above prove nothing")
	}
	stretched := g
	stretched.ExpiresAt = stretched.IssuedAt.Add(uploadtoken.MaxLifetime + time.Second)
	if ten.WithKey(uploadtoken.Sign(stretched, key)).Call("POST", "/v1/files", pdf(1, ""), nil) != 401 {
		t.Error("a token living longer than an hour is accepted")
	}
}

// stackKeys are the upload tokens' keys of the stack's root secret, read as
// the mint function reads them.
func stackKeys(t *testing.T) uploadtoken.KeyRing {
	t.Helper()
	e, err := wiring.Load(func(name string) string { return stack.FunctionEnv("MintUploadTokenFunction")[name] })
	if err != nil {
		t.Fatal(err)
	}
	return tokenwiring.Keys(e)
}

// A renewal (the host page's refresh callback) continues its token: the
// fresh token reads and completes the files the old one created, and
// shares its budget.
func TestUploadTokenRenewal(t *testing.T) {
	ten, other := apitest.NewTenant(t, stack), apitest.NewTenant(t, stack)
	old, m := mintToken(t, ten, map[string]any{"maxFiles": 1})
	f := old.Create("a.pdf", "application/pdf", 5, "")
	renewed, r := mintToken(t, ten, map[string]any{"renew": m.Token, "maxFiles": 50})
	if r.MaxFiles != 1 || r.ExpiresAt < m.ExpiresAt {
		t.Errorf("renewal %+v: want the old limits and a lifetime from now", r)
	}
	if st := renewed.Call("GET", "/v1/files/"+f.ID, nil, nil); st != 200 {
		t.Errorf("the renewed token reads the old one's file: %d", st)
	}
	refused(t, renewed, "a file past the shared budget", "POST", "/v1/files", pdf(1, ""), 403, "token_file_limit")
	refused(t, other, "renewing another project's token", "POST", "/v1/upload-tokens", map[string]any{"renew": m.Token}, 400, "invalid_renew")
}

// A token dies with the API key that minted it, and so does its renewal:
// the API refuses to renew a token whose minting key is revoked, whichever
// live key of the project asks (a host that rotated its key, or any host
// that renews what its page sends).
func TestUploadTokenRenewalNeedsALiveMintingKey(t *testing.T) {
	ctx := context.Background()
	ten := apitest.NewTenant(t, stack)
	secondKey, err := stack.MintKey(ctx, apitest.NewUUID(), ten.ProjectID, auth.ScopeCreate)
	if err != nil {
		t.Fatal(err)
	}
	second := ten.WithKey(secondKey)
	_, first := mintToken(t, ten, map[string]any{"maxFiles": 1})
	_, stale := mintToken(t, ten, map[string]any{"maxFiles": 1})
	// While the minting key lives, another key of the project renews.
	mintToken(t, second, map[string]any{"renew": first.Token})
	if err := dynamostore.NewKeys(env.DynamoDB(), env.Config.TableName).RevokeKey(ctx, auth.Hash(ten.Key), time.Now()); err != nil {
		t.Fatal(err)
	}
	refused(t, second, "renewing a token of a revoked key", "POST", "/v1/upload-tokens", map[string]any{"renew": stale.Token}, 400, "invalid_renew")
	if st := ten.WithKey(stale.Token).Call("POST", "/v1/files", pdf(1, ""), nil); st != 401 {
		t.Errorf("the revoked key's token itself: %d, want 401", st)
	}
}

// A token has one spelling: the other spellings of its signature (the
// unused low bits of its last base64 character set) are 401 at the gateway.
func TestUploadTokenHasOneSpelling(t *testing.T) {
	ten := apitest.NewTenant(t, stack)
	_, m := mintToken(t, ten, map[string]any{"maxFiles": 1})
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, m.Token[len(m.Token)-1])
	for low := 1; low < 4; low++ { // a 32-byte signature leaves two bits unused
		respelled := m.Token[:len(m.Token)-1] + string(alphabet[last^low])
		if st := ten.WithKey(respelled).Call("POST", "/v1/files", pdf(1, ""), nil); st != 401 {
			t.Errorf("the token with low bits %d set: %d, want 401", low, st)
		}
		refused(t, ten, "renewing a respelled token", "POST", "/v1/upload-tokens", map[string]any{"renew": respelled}, 400, "invalid_renew")
	}
	if st := ten.WithKey(m.Token).Call("POST", "/v1/files", pdf(1, ""), nil); st != 200 {
		t.Errorf("the token as minted: %d", st)
	}
}
