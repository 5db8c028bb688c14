package uploadtoken_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/uploadtoken"
)

const (
	org     = "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05"
	project = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"
)

// memRing is a KeyRing in memory; created counts the keys it made.
type memRing struct {
	mu      sync.Mutex
	keys    map[string]uploadtoken.SigningKey
	created int
}

func (m *memRing) Key(_ context.Context, id string, create func() uploadtoken.SigningKey) (uploadtoken.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.keys[id]; ok {
		return k, nil
	}
	if create == nil {
		return uploadtoken.SigningKey{}, uploadtoken.ErrUnknownKey
	}
	m.keys[id] = create()
	m.created++
	return m.keys[id], nil
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup() (*memRing, *clock, *uploadtoken.Minter, *uploadtoken.Verifier) {
	ring := &memRing{keys: map[string]uploadtoken.SigningKey{}}
	c := &clock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	m := &uploadtoken.Minter{Keys: ring, MaxBytes: 1000, Purposes: files.DefaultPurposes(), Now: c.now}
	return ring, c, m, &uploadtoken.Verifier{Keys: ring, Now: c.now}
}

var minter = auth.Principal{OrganizationID: org, ProjectID: project, Scopes: []string{auth.ScopeCreate}, KeyHash: "parent"}

func TestMintAndVerify(t *testing.T) {
	ring, c, m, v := setup()
	ctx := context.Background()
	got, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{MaxFiles: 2, MaxBytes: 500, MimeTypes: []string{"Application/PDF"}, Purpose: "user_data"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Token, "fgt_20261130.") {
		t.Errorf("token %q: want fgt_<key id>.", got.Token)
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
	// A second mint in the period reuses the period's key: no write.
	if _, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{}); err != nil || ring.created != 1 {
		t.Errorf("second mint: %v, %d keys created; want 1", err, ring.created)
	}
}

// Expiry, tampering, forgery and a retired or revoked signing key are all
// 401 (auth.ErrUnauthorized, exactly).
func TestVerifyRefuses(t *testing.T) {
	ring, c, m, v := setup()
	ctx := context.Background()
	got, err := m.Mint(ctx, minter, "parent", uploadtoken.Request{ExpiresIn: 10 * time.Minute, MaxFiles: 1})
	if err != nil {
		t.Fatal(err)
	}
	signed, sig, _ := strings.Cut(got.Token[strings.Index(got.Token, ".")+1:], ".")
	kid := uploadtoken.KeyID(c.t)
	other := uploadtoken.Sign(got.Grant, uploadtoken.NewSigningKey(kid))
	tampered := uploadtoken.Sign(func() uploadtoken.Grant { g := got.Grant; g.MaxFiles = 100; return g }(), uploadtoken.SigningKey{ID: kid, Secret: []byte("guess")})
	// The claims of a bigger grant under the real token's signature.
	bigger := uploadtoken.Sign(func() uploadtoken.Grant { g := got.Grant; g.MaxFiles = 100; return g }(), ring.keys[kid])
	swapped := bigger[:strings.LastIndex(bigger, ".")+1] + got.Token[strings.LastIndex(got.Token, ".")+1:]
	for name, token := range map[string]string{
		"forged with another key": other, "claims changed, signed with a guess": tampered, "claims changed, old signature": swapped,
		"no signature": auth.TokenPrefix + kid + "." + signed, "garbage": "fgt_x", "signature only": "fgt_" + kid + ".." + sig,
	} {
		if _, _, err := v.Verify(ctx, token); !errors.Is(err, auth.ErrUnauthorized) {
			t.Errorf("%s: %v, want ErrUnauthorized", name, err)
		}
	}
	c.t = got.Grant.ExpiresAt
	if _, _, err := v.Verify(ctx, got.Token); !errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("expired token: %v, want ErrUnauthorized", err)
	}
	// Revocation of every token of a period: delete its signing key.
	c.t = got.Grant.ExpiresAt.Add(-time.Minute)
	delete(ring.keys, kid)
	if _, _, err := v.Verify(ctx, got.Token); !errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("token of a deleted signing key: %v, want ErrUnauthorized", err)
	}
	// A token whose signing key's period ended more than MaxLifetime ago is
	// refused even if the key were still stored.
	ring.keys[kid] = uploadtoken.NewSigningKey(kid)
	g := got.Grant
	g.IssuedAt, g.ExpiresAt = c.t.Add(-25*time.Hour), c.t.Add(time.Hour)
	if _, _, err := v.Verify(ctx, uploadtoken.Sign(g, uploadtoken.SigningKey{ID: uploadtoken.KeyID(c.t.Add(-48 * time.Hour)), Secret: ring.keys[kid].Secret})); !errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("token of a retired period: %v, want ErrUnauthorized", err)
	}
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
		"mimeType":  {MimeType: "image/png", SizeBytes: 1},
		"purpose":   {MimeType: "application/pdf", SizeBytes: 1, Purpose: "parse"},
		"sizeBytes": {MimeType: "application/pdf", SizeBytes: 101},
	} {
		err := uploadtoken.CheckDeclaration(tk, &in)
		var e *files.Error
		if !errors.As(err, &e) || e.Kind != files.KindForbidden || e.Field.String() != param {
			t.Errorf("%s: %v, want a 403 on %s", param, err, param)
		}
	}
	in := files.CreateInput{MimeType: "application/pdf; charset=x", SizeBytes: 100}
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

type memKeys struct{ keys map[string]auth.Key }

func (m *memKeys) GetKey(_ context.Context, hash string) (*auth.Key, error) {
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
