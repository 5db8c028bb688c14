package uploadtoken_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/rootsecret"
	"github.com/filegate/filegate/shared/uploadtoken"
)

const (
	org     = "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05"
	project = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"
)

// memRoot is the root secret in memory; rotate replaces it as Secrets
// Manager's put-secret-value does (the current version becomes previous).
type memRoot struct {
	mu                sync.Mutex
	current, previous []byte
	loads, rotations  int
}

func (m *memRoot) Load(context.Context) (rootsecret.Versions, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads++
	return rootsecret.Parse(m.current, m.previous)
}

func (m *memRoot) rotate() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rotations++
	m.previous, m.current = m.current, fmt.Appendf(nil, "%064d", m.rotations)
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// cacheTTL is how long the functions under test keep the root secret.
const cacheTTL = 5 * time.Minute

func setup() (*memRoot, *clock, *uploadtoken.Minter, *uploadtoken.Verifier) {
	root := &memRoot{current: []byte(strings.Repeat("r", 64))}
	c := &clock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	// "parent", the key the tests mint with, is a live key of project.
	keys := &memKeys{keys: map[string]auth.Key{"parent": {Hash: "parent", OrganizationID: org, ProjectID: project, Scopes: []string{auth.ScopeCreate}}}}
	// Minter and verifier run in different functions: each has its cache.
	m := &uploadtoken.Minter{Keys: uploadtoken.KeyRing{Root: rootsecret.NewCache(root, cacheTTL, c.now)}, APIKeys: keys, MaxBytes: 1000, Purposes: files.DefaultPurposes(), Now: c.now}
	return root, c, m, &uploadtoken.Verifier{Keys: uploadtoken.KeyRing{Root: rootsecret.NewCache(root, cacheTTL, c.now)}, Now: c.now}
}

var minter = auth.Principal{OrganizationID: org, ProjectID: project, Scopes: []string{auth.ScopeCreate}, KeyHash: "parent"}

func TestMintAndVerify(t *testing.T) {
	root, c, m, v := setup()
	ctx := context.Background()
	got, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{MaxFiles: 2, MaxBytes: 500, MimeTypes: []string{"Application/PDF"}, Purpose: "user_data"})
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := root.Load(ctx)
	if !strings.HasPrefix(got.Token, "fgt_20261130-"+vs.Current.Tag()+".") {
		t.Errorf("token %q: want fgt_<day>-<root version tag>.", got.Token)
	}
	if want := c.t.Add(uploadtoken.DefaultLifetime); !got.Grant.ExpiresAt.Equal(want) {
		t.Errorf("expiresAt %v, want the default 15 minutes: %v", got.Grant.ExpiresAt, want)
	}
	p, parent, err := v.Verify(ctx, got.Token)
	if err != nil {
		t.Fatal(err)
	}
	if parent != "parent" || p.ProjectID != project || p.OrganizationID != org || len(p.Scopes) != 0 {
		t.Errorf("principal %+v parent %q", p, parent)
	}
	tk := p.Token
	if tk == nil || tk.ID != got.Grant.ID || tk.MaxFiles != 2 || tk.MaxBytes != 500 || tk.Purpose != "user_data" ||
		len(tk.MimeTypes) != 1 || tk.MimeTypes[0] != "application/pdf" || !tk.ExpiresAt.Equal(got.Grant.ExpiresAt) {
		t.Errorf("token grant %+v, want what was minted: %+v", tk, got.Grant)
	}
	// Minting and verifying again within the cache's TTL reads the root
	// secret no more: once per function (the test's Load above is the third).
	if _, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{}); err != nil || root.loads != 3 {
		t.Errorf("second mint: %v, %d loads of the root secret; want 3", err, root.loads)
	}
}

// Expiry, tampering, forgery and a key of another day are all 401
// (auth.ErrUnauthorized, exactly).
func TestVerifyRefuses(t *testing.T) {
	root, c, m, v := setup()
	ctx := context.Background()
	got, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{ExpiresIn: 10 * time.Minute, MaxFiles: 1})
	if err != nil {
		t.Fatal(err)
	}
	real, err := m.Keys.Signing(ctx, c.t)
	if err != nil {
		t.Fatal(err)
	}
	kid := real.ID
	signed, sig, _ := strings.Cut(got.Token[strings.Index(got.Token, ".")+1:], ".")
	// The same key id, derived from another root.
	otherRoot, _ := rootsecret.NewVersion([]byte(strings.Repeat("x", 64)))
	other := uploadtoken.Sign(got.Grant, uploadtoken.SigningKey{ID: kid, Secret: otherRoot.Derive("upload-token", "20261130")})
	// The root's key of the day, for another purpose.
	vs, _ := root.Load(ctx)
	misused := uploadtoken.Sign(got.Grant, uploadtoken.SigningKey{ID: kid, Secret: vs.Current.Derive("webhook-endpoint", "20261130")})
	tampered := uploadtoken.Sign(func() uploadtoken.Grant { g := got.Grant; g.MaxFiles = 100; return g }(), uploadtoken.SigningKey{ID: kid, Secret: []byte("guess")})
	// The claims of a bigger grant under the real token's signature.
	bigger := uploadtoken.Sign(func() uploadtoken.Grant { g := got.Grant; g.MaxFiles = 100; return g }(), real)
	swapped := bigger[:strings.LastIndex(bigger, ".")+1] + got.Token[strings.LastIndex(got.Token, ".")+1:]
	// The real key under an id naming no version in use.
	unknownTag := uploadtoken.Sign(got.Grant, uploadtoken.SigningKey{ID: "20261130-000000000000", Secret: real.Secret})
	for name, token := range map[string]string{
		"forged with another root": other, "signed with a key for another purpose": misused,
		"claims changed, signed with a guess": tampered, "claims changed, old signature": swapped,
		"no signature": auth.TokenPrefix + kid + "." + signed, "garbage": "fgt_x", "signature only": "fgt_" + kid + ".." + sig,
		"an unknown root version": unknownTag, "a key id without a version": auth.TokenPrefix + "20261130." + signed + "." + sig,
	} {
		if _, _, err := v.Verify(ctx, token); !errors.Is(err, auth.ErrUnauthorized) {
			t.Errorf("%s: %v, want ErrUnauthorized", name, err)
		}
	}
	c.t = got.Grant.ExpiresAt
	if _, _, err := v.Verify(ctx, got.Token); !errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("expired token: %v, want ErrUnauthorized", err)
	}
	// A token whose key's day ended more than MaxLifetime ago is refused,
	// its claims and signature otherwise genuine.
	c.t = got.Grant.ExpiresAt.Add(-time.Minute)
	g := got.Grant
	g.IssuedAt, g.ExpiresAt = c.t.Add(-25*time.Hour), c.t.Add(time.Hour)
	old, _ := m.Keys.Signing(ctx, g.IssuedAt)
	if _, _, err := v.Verify(ctx, uploadtoken.Sign(g, old)); !errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("token of a retired day: %v, want ErrUnauthorized", err)
	}
}

// A rotation of the root secret keeps every live token valid: one signed
// under the previous version verifies until it expires, while new tokens
// are signed under the new one. A second rotation retires the first
// version: its tokens are refused (how an operator revokes every token).
// Functions see a rotation within their cache's TTL; a verifier meeting a
// token of a version it has not loaded yet reloads.
func TestRotation(t *testing.T) {
	root, c, m, v := setup()
	ctx := context.Background()
	before, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{ExpiresIn: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.Verify(ctx, before.Token); err != nil {
		t.Fatal(err)
	}
	root.rotate()
	c.t = c.t.Add(cacheTTL) // the minter's cache expires; the verifier's too
	after, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{ExpiresIn: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(after.Token) == kidOf(before.Token) {
		t.Fatalf("a token minted after the rotation has the old key id %s", kidOf(before.Token))
	}
	for name, token := range map[string]string{"signed before the rotation": before.Token, "signed after": after.Token} {
		if _, _, err := v.Verify(ctx, token); err != nil {
			t.Errorf("%s: %v, want it valid", name, err)
		}
	}
	c.t = before.Grant.ExpiresAt.Add(-time.Second)
	if _, _, err := v.Verify(ctx, before.Token); err != nil {
		t.Errorf("the previous version's token a second before it expires: %v", err)
	}
	c.t = before.Grant.ExpiresAt
	if _, _, err := v.Verify(ctx, before.Token); !errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("the previous version's token at its expiry: %v, want ErrUnauthorized", err)
	}
	// Revoke: two rotations retire the version every live token was
	// signed with.
	live, _ := m.Mint(ctx, minter, "parent", uploadtoken.Request{ExpiresIn: time.Hour})
	if _, _, err := v.Verify(ctx, live.Token); err != nil || kidOf(live.Token) != kidOf(after.Token) {
		t.Fatalf("a live token of the current version: %v", err)
	}
	root.rotate()
	root.rotate()
	c.t = c.t.Add(cacheTTL)
	if _, _, err := v.Verify(ctx, live.Token); !errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("a live token after two rotations: %v, want ErrUnauthorized", err)
	}
	fresh, _ := m.Mint(ctx, minter, "parent", uploadtoken.Request{})
	if _, _, err := v.Verify(ctx, fresh.Token); err != nil {
		t.Errorf("a token minted after the revocation: %v", err)
	}
}

// A verifier whose cached root is older than a rotation the minter already
// saw still verifies the minter's new tokens: it reloads for the new tag.
func TestVerifierCatchesUpWithARotation(t *testing.T) {
	root, c, m, v := setup()
	ctx := context.Background()
	first, _ := m.Mint(ctx, minter, "parent", uploadtoken.Request{})
	if _, _, err := v.Verify(ctx, first.Token); err != nil { // the verifier loads now
		t.Fatal(err)
	}
	root.rotate()
	c.t = c.t.Add(rootsecret.RetryAfter)
	minterAfter := &uploadtoken.Minter{Keys: uploadtoken.KeyRing{Root: rootsecret.NewCache(root, cacheTTL, c.now)}, MaxBytes: 1000, Purposes: files.DefaultPurposes(), Now: c.now}
	fresh, err := minterAfter.Mint(ctx, minter, "parent", uploadtoken.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.Verify(ctx, fresh.Token); err != nil {
		t.Errorf("a token of the new version, with the verifier's cache still warm: %v", err)
	}
}

// The root secret's store failing is an error (a 503 at the mint, a
// failed authorization), never a token signed or accepted without it.
func TestRootSecretUnavailable(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	down := rootsecret.NewCache(failingRoot{}, cacheTTL, c.now)
	m := &uploadtoken.Minter{Keys: uploadtoken.KeyRing{Root: down}, MaxBytes: 1000, Purposes: files.DefaultPurposes(), Now: c.now}
	_, err := m.Mint(context.Background(), minter, "parent", uploadtoken.Request{})
	var e *files.Error
	if !errors.As(err, &e) || e.Kind != files.KindUnavailable {
		t.Errorf("mint with the root secret unavailable: %v, want unavailable", err)
	}
	_, _, up, _ := setup()
	token, _ := up.Mint(context.Background(), minter, "parent", uploadtoken.Request{})
	v := &uploadtoken.Verifier{Keys: uploadtoken.KeyRing{Root: down}, Now: c.now}
	if _, _, err := v.Verify(context.Background(), token.Token); err == nil || errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("verify with the root secret unavailable: %v, want an error that is not a 401", err)
	}
}

type failingRoot struct{}

func (failingRoot) Load(context.Context) (rootsecret.Versions, error) {
	return rootsecret.Versions{}, errors.New("secrets manager is down")
}

func kidOf(token string) string {
	kid, _, _ := strings.Cut(strings.TrimPrefix(token, auth.TokenPrefix), ".")
	return kid
}

// Each bound of a mint request is a 400 naming its field.
func TestMintBounds(t *testing.T) {
	_, _, m, _ := setup()
	for param, req := range map[string]uploadtoken.Request{
		"expiresInSeconds": {ExpiresIn: time.Hour + time.Second},
		"maxFiles":         {MaxFiles: uploadtoken.MaxFilesLimit + 1},
		"maxBytes":         {MaxFiles: 1, MaxBytes: 1001},
		"mimeTypes":        {MimeTypes: []string{"not a type"}},
		"purpose":          {Purpose: "nonsense"},
	} {
		_, err := m.Mint(context.Background(), minter, "parent", req)
		var e *files.Error
		if !errors.As(err, &e) || e.Kind != files.KindInvalid || e.Param != param {
			t.Errorf("%s: %v, want a 400 on %s", param, err, param)
		}
	}
	got, err := m.Mint(context.Background(), minter, "parent", uploadtoken.Request{ExpiresIn: time.Hour})
	if err != nil || got.Grant.ExpiresAt.Sub(got.Grant.IssuedAt) != time.Hour {
		t.Errorf("the longest lifetime, an hour: %v %+v", err, got)
	}
}

// What a token allows at create, before its budget: MIME type, purpose and
// one file's size; a missing purpose takes the token's.
func TestCheckDeclaration(t *testing.T) {
	tk := &auth.Token{MaxBytes: 100, MimeTypes: []string{"application/pdf"}, Purpose: "user_data"}
	for param, in := range map[string]files.CreateInput{
		"mimeType":  {Declared: files.Declared{MimeType: "image/png", SizeBytes: 1}},
		"purpose":   {Declared: files.Declared{MimeType: "application/pdf", SizeBytes: 1, Purpose: "parse"}},
		"sizeBytes": {Declared: files.Declared{MimeType: "application/pdf", SizeBytes: 101}},
	} {
		err := uploadtoken.CheckDeclaration(tk, &in)
		var e *files.Error
		if !errors.As(err, &e) || e.Kind != files.KindForbidden || e.Field.String() != param {
			t.Errorf("%s: %v, want a 403 on %s", param, err, param)
		}
	}
	in := files.CreateInput{Declared: files.Declared{MimeType: "application/pdf; charset=x", SizeBytes: 100}}
	if err := uploadtoken.CheckDeclaration(tk, &in); err != nil || in.Purpose != "user_data" {
		t.Errorf("an allowed file: %v, purpose %q (want the token's)", err, in.Purpose)
	}
}

// The authorizer takes tokens beside API keys, only while the key that
// minted them is live and may create files.
func TestAuthorizerTokens(t *testing.T) {
	keys := &memKeys{keys: map[string]auth.Key{}}
	ctx := context.Background()
	_, c, m, v := setup()
	a := &auth.Authorizer{Keys: keys, Tokens: v, Log: slog.New(slog.DiscardHandler)}
	mint := func(scopes ...string) (secret, token string) {
		secret, _ = auth.Mint(ctx, keys, org, project, scopes, c.t)
		got, err := m.Mint(ctx, minter, auth.Hash(secret), uploadtoken.Request{})
		if err != nil {
			t.Fatal(err)
		}
		return secret, got.Token
	}
	request := func(token string) events.APIGatewayV2CustomAuthorizerV2Request {
		return events.APIGatewayV2CustomAuthorizerV2Request{IdentitySource: []string{"Bearer " + token}}
	}
	_, live := mint(auth.ScopeCreate)
	resp, err := a.Handle(ctx, request(live))
	if err != nil || !resp.IsAuthorized {
		t.Fatalf("live token: %v %v", resp.IsAuthorized, err)
	}
	p, ok := auth.PrincipalFromLambdaContext(resp.Context)
	if !ok || p.Token == nil || len(p.Scopes) != 0 || p.KeyHash != "" || p.ProjectID != project {
		t.Errorf("token principal %+v %v: want a token, no scopes, no key", p, ok)
	}
	revokedKey, revoked := mint(auth.ScopeCreate)
	_ = keys.RevokeKey(ctx, auth.Hash(revokedKey), c.t)
	_, readOnly := mint(auth.ScopeRead)
	for name, token := range map[string]string{"minting key revoked": revoked, "minting key cannot create": readOnly} {
		if _, err := a.Handle(ctx, request(token)); !errors.Is(err, auth.ErrUnauthorized) {
			t.Errorf("%s: %v, want ErrUnauthorized", name, err)
		}
	}
	noTokens := &auth.Authorizer{Keys: keys, Log: slog.New(slog.DiscardHandler)}
	if _, err := noTokens.Handle(ctx, request(live)); !errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("an authorizer without a verifier: %v, want ErrUnauthorized", err)
	}
}

type memKeys struct {
	keys map[string]auth.Key
	fail error // GetKey's answer when set
}

func (m *memKeys) GetKey(_ context.Context, hash string) (*auth.Key, error) {
	if m.fail != nil {
		return nil, m.fail
	}
	k, ok := m.keys[hash]
	if !ok {
		return nil, auth.ErrKeyNotFound
	}
	return &k, nil
}

func (m *memKeys) PutKey(_ context.Context, k *auth.Key) error { m.keys[k.Hash] = *k; return nil }

func (m *memKeys) RevokeKey(_ context.Context, hash string, at time.Time) error {
	k, ok := m.keys[hash]
	if !ok {
		return auth.ErrKeyNotFound
	}
	k.RevokedAt = &at
	m.keys[hash] = k
	return nil
}

// Renewal continues a token (same id, so the same budget and files) with a
// new lifetime, up to RenewGrace after it expired, in its own project only.
func TestRenew(t *testing.T) {
	_, c, m, v := setup()
	ctx := context.Background()
	old, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{MaxFiles: 2, MimeTypes: []string{"application/pdf"}})
	if err != nil {
		t.Fatal(err)
	}
	c.t = old.Grant.ExpiresAt.Add(uploadtoken.RenewGrace - time.Second)
	fresh, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{Renew: old.Token, MaxFiles: 50})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := v.Verify(ctx, fresh.Token)
	if err != nil || p.Token.ID != old.Grant.ID || p.Token.MaxFiles != 2 || len(p.Token.MimeTypes) != 1 || !p.Token.ExpiresAt.After(c.t) {
		t.Errorf("renewed: %v %+v; want id %s, the old limits, a new expiry", err, p.Token, old.Grant.ID)
	}
	other := minter
	other.ProjectID = "00000000-0000-4000-8000-000000000009"
	for name, tc := range map[string]struct {
		p     auth.Principal
		token string
		at    time.Time
	}{
		"past the grace":   {minter, old.Token, old.Grant.ExpiresAt.Add(uploadtoken.RenewGrace)},
		"another project":  {other, fresh.Token, c.t},
		"not a real token": {minter, old.Token + "x", c.t},
	} {
		c.t = tc.at
		_, err := m.Mint(ctx, tc.p, "parent", uploadtoken.Request{Renew: tc.token})
		var e *files.Error
		if !errors.As(err, &e) || e.Param != "renew" {
			t.Errorf("%s: %v, want a 400 on renew", name, err)
		}
	}
}

// respell returns the other spellings base64url allows for part: the same
// bytes with the unused low bits of the last character set otherwise
// (lenient decoders ignore them), and with a line break inside (Go's
// decoder skips CR and LF).
func respell(part string) []string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	unused := map[int]int{2: 4, 3: 2}[len(part)%4] // bits the last character carries beyond the bytes
	last := strings.IndexByte(alphabet, part[len(part)-1])
	var out []string
	for low := 1; low < 1<<unused; low++ {
		out = append(out, part[:len(part)-1]+string(alphabet[last^low]))
	}
	return append(out, part[:2]+"\n"+part[2:], part+"\r\n")
}

// A token has exactly one valid spelling: every other spelling of its
// signature or claims is refused by the verifier and by a renewal.
func TestTokenHasOneSpelling(t *testing.T) {
	_, _, m, v := setup()
	ctx := context.Background()
	got, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(got.Token, ".")
	if len(parts) != 3 || len(parts[2]) != 43 {
		t.Fatalf("token %q: want three parts, a 43-character signature", got.Token)
	}
	var variants []string
	for _, sig := range respell(parts[2]) {
		variants = append(variants, parts[0]+"."+parts[1]+"."+sig)
	}
	for _, body := range respell(parts[1]) {
		variants = append(variants, parts[0]+"."+body+"."+parts[2])
	}
	if len(variants) < 5 {
		t.Fatalf("only %d respellings: the signature alone has three", len(variants))
	}
	for _, variant := range variants {
		if _, _, err := v.Verify(ctx, variant); !errors.Is(err, auth.ErrUnauthorized) {
			t.Errorf("verify %q: %v, want ErrUnauthorized", variant, err)
		}
		_, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{Renew: variant})
		var e *files.Error
		if !errors.As(err, &e) || e.Param != "renew" {
			t.Errorf("renew %q: %v, want a 400 on renew", variant, err)
		}
	}
	if _, _, err := v.Verify(ctx, got.Token); err != nil {
		t.Fatalf("the token as minted: %v", err)
	}
}

// A renewal continues a token only while the API key that minted it could
// still mint it: live, of the token's project, holding files:create. The
// check is the API's, so a host that renews whatever its page sends cannot
// revive the tokens of a key it revoked.
func TestRenewNeedsALiveMintingKey(t *testing.T) {
	_, c, m, _ := setup()
	ctx := context.Background()
	keys := m.APIKeys.(*memKeys)
	mintWith := func(hash string, scopes ...string) string {
		keys.keys[hash] = auth.Key{Hash: hash, OrganizationID: org, ProjectID: project, Scopes: scopes}
		got, err := m.Mint(ctx, minter, hash, uploadtoken.Request{})
		if err != nil {
			t.Fatal(err)
		}
		return got.Token
	}
	live := mintWith("live", auth.ScopeCreate)
	revoked := mintWith("revoked", auth.ScopeCreate)
	_ = keys.RevokeKey(ctx, "revoked", c.t)
	deleted := mintWith("deleted", auth.ScopeCreate)
	delete(keys.keys, "deleted")
	readOnly := mintWith("read-only", auth.ScopeRead)
	moved := mintWith("moved", auth.ScopeCreate)
	keys.keys["moved"] = auth.Key{Hash: "moved", OrganizationID: org, ProjectID: "00000000-0000-4000-8000-000000000009", Scopes: []string{auth.ScopeCreate}}
	if _, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{Renew: live}); err != nil {
		t.Fatalf("renewing a live key's token with another key of the project: %v", err)
	}
	for name, token := range map[string]string{"revoked": revoked, "deleted": deleted, "read-only": readOnly, "of another project": moved} {
		_, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{Renew: token})
		var e *files.Error
		if !errors.As(err, &e) || e.Kind != files.KindInvalid || e.Code != "invalid_renew" || e.Param != "renew" {
			t.Errorf("renewing a token whose minting key is %s: %v, want 400 invalid_renew", name, err)
		}
	}
	keys.fail = errors.New("DynamoDB is down")
	if _, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{Renew: live}); files.KindOf(err) != files.KindUnavailable {
		t.Errorf("renewing while the keys cannot be read: %v, want 503", err)
	}
}
