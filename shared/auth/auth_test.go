package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/auth"
)

// memKeys is a KeyStore in memory, with an injectable fault.
type memKeys struct {
	keys  map[string]auth.Key
	fault error
}

func (m *memKeys) GetKey(_ context.Context, hash string) (*auth.Key, error) {
	if m.fault != nil {
		return nil, m.fault
	}
	k, ok := m.keys[hash]
	if !ok {
		return nil, auth.ErrKeyNotFound
	}
	return &k, nil
}

func (m *memKeys) PutKey(_ context.Context, k *auth.Key) error {
	m.keys[k.Hash] = *k
	return nil
}

func (m *memKeys) RevokeKey(_ context.Context, hash string, at time.Time) error {
	k, ok := m.keys[hash]
	if !ok {
		return auth.ErrKeyNotFound
	}
	k.RevokedAt = &at
	m.keys[hash] = k
	return nil
}

const (
	org     = "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05"
	project = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"
)

// A key is stored as the SHA-256 of its secret, never the secret itself.
func TestMintStoresOnlyTheHash(t *testing.T) {
	store := &memKeys{keys: map[string]auth.Key{}}
	secret, err := auth.Mint(context.Background(), store, org, project, []string{auth.ScopeRead}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "fgk_") || len(secret) < 40 {
		t.Errorf("secret %q: want fgk_ and 32 random bytes", secret)
	}
	sum := sha256.Sum256([]byte(secret))
	k, ok := store.keys[hex.EncodeToString(sum[:])]
	if !ok {
		t.Fatalf("no key stored under the secret's SHA-256")
	}
	if k.Hash != auth.Hash(secret) {
		t.Errorf("stored hash %q, want auth.Hash(secret)", k.Hash)
	}
	if strings.Contains(k.Hash, secret) {
		t.Error("the stored key contains the secret")
	}
	if k.ProjectID != project || k.OrganizationID != org {
		t.Errorf("tenant %s/%s, want %s/%s", k.OrganizationID, k.ProjectID, org, project)
	}
	if again, _ := auth.Mint(context.Background(), store, org, project, nil, time.Now()); again == secret {
		t.Error("two mints gave the same secret")
	}
}

// Rotate gives the old key's tenant and scopes to a new key and revokes the old.
func TestRotate(t *testing.T) {
	store := &memKeys{keys: map[string]auth.Key{}}
	old, err := auth.Mint(context.Background(), store, org, project, []string{auth.ScopeRead, auth.ScopeCreate}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := auth.Rotate(context.Background(), store, old, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	n := store.keys[auth.Hash(fresh)]
	if n.ProjectID != project {
		t.Errorf("new key's project %q, want %q", n.ProjectID, project)
	}
	if !reflect.DeepEqual(n.Scopes, []string{auth.ScopeRead, auth.ScopeCreate}) {
		t.Errorf("new key's scopes %q", n.Scopes)
	}
	if store.keys[auth.Hash(old)].RevokedAt == nil {
		t.Error("the old key is not revoked")
	}
	if _, err := auth.Rotate(context.Background(), store, "fgk_unknown", time.Now()); !errors.Is(err, auth.ErrKeyNotFound) {
		t.Errorf("rotating an unknown key: %v, want ErrKeyNotFound", err)
	}
}

func TestBearerSecret(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer fgk_x": "fgk_x", "bearer fgk_x": "fgk_x", "  Bearer   fgk_x  ": "fgk_x",
		"": "", "Bearer": "", "Bearer ": "", "Basic fgk_x": "", "fgk_x": "",
	} {
		got, ok := auth.BearerSecret(header)
		if got != want || ok != (want != "") {
			t.Errorf("%q: %q %v, want %q", header, got, ok, want)
		}
	}
}

func TestValidUUID(t *testing.T) {
	for s, want := range map[string]bool{
		project: true, strings.ToUpper(project): true,
		"": false, project[:35]: false, project + "0": false, strings.ReplaceAll(project, "-", "_"): false, "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b4g": false,
	} {
		if got := auth.ValidUUID(s); got != want {
			t.Errorf("ValidUUID(%q) = %v, want %v", s, got, want)
		}
	}
}

// The authorizer: 401 (ErrUnauthorized, exactly) for anything that is not a
// live key, another error (API Gateway's 500, not cached) for a store
// fault, and the key's principal in the context otherwise.
func TestAuthorizer(t *testing.T) {
	store := &memKeys{keys: map[string]auth.Key{}}
	ctx := context.Background()
	live, _ := auth.Mint(ctx, store, org, project, []string{auth.ScopeRead}, time.Now())
	revoked, _ := auth.Mint(ctx, store, org, project, []string{auth.ScopeRead}, time.Now())
	_ = store.RevokeKey(ctx, auth.Hash(revoked), time.Now())
	a := &auth.Authorizer{Keys: store, Log: slog.New(slog.DiscardHandler)}
	request := func(header string) events.APIGatewayV2CustomAuthorizerV2Request {
		return events.APIGatewayV2CustomAuthorizerV2Request{IdentitySource: []string{header}}
	}
	for name, header := range map[string]string{"no scheme": live, "unknown key": "Bearer fgk_unknown", "revoked key": "Bearer " + revoked, "empty": ""} {
		if resp, err := a.Handle(ctx, request(header)); !errors.Is(err, auth.ErrUnauthorized) || resp.IsAuthorized {
			t.Errorf("%s: authorized %v, err %v; want ErrUnauthorized", name, resp.IsAuthorized, err)
		}
	}
	resp, err := a.Handle(ctx, request("Bearer "+live))
	if err != nil || !resp.IsAuthorized {
		t.Fatalf("live key: authorized %v, err %v", resp.IsAuthorized, err)
	}
	p, ok := auth.PrincipalFromLambdaContext(resp.Context)
	if !ok {
		t.Fatalf("context %v carries no principal", resp.Context)
	}
	if want := (auth.Principal{OrganizationID: org, ProjectID: project, Scopes: []string{auth.ScopeRead}, KeyHash: auth.Hash(live)}); !reflect.DeepEqual(p, want) {
		t.Errorf("principal %+v, want %+v", p, want)
	}
	store.fault = errors.New("throttled")
	if _, err := a.Handle(ctx, request("Bearer "+live)); err == nil || errors.Is(err, auth.ErrUnauthorized) {
		t.Errorf("store fault: %v, want an error other than Unauthorized", err)
	} else if strings.Contains(err.Error(), "throttled") {
		t.Errorf("store fault: %q shows the cause", err)
	}
}

func TestPrincipalContext(t *testing.T) {
	p := auth.Principal{OrganizationID: org, ProjectID: project, Scopes: []string{auth.ScopeCreate, auth.ScopeRead}, KeyHash: "abc"}
	got, ok := auth.PrincipalFromLambdaContext(p.LambdaContext())
	if !ok || !reflect.DeepEqual(got, p) {
		t.Errorf("round trip %+v %v, want %+v", got, ok, p)
	}
	tok := auth.Principal{OrganizationID: org, ProjectID: project, Token: &auth.Token{ID: "utk_1", ExpiresAt: time.Unix(1700000000, 0).UTC(), MaxFiles: 3, MaxBytes: 99, MimeTypes: []string{"application/pdf", "image/png"}, Purpose: "user_data"}}
	if got, ok := auth.PrincipalFromLambdaContext(tok.LambdaContext()); !ok || !reflect.DeepEqual(got, tok) {
		t.Errorf("token round trip %+v %v, want %+v", got, ok, tok)
	}
	broken := tok.LambdaContext()
	broken["tokenExpiresAt"] = "soon"
	if got, ok := auth.PrincipalFromLambdaContext(broken); ok {
		t.Errorf("a token context with a bad expiry is principal %+v", got)
	}
	if !got.Can(auth.ScopeCreate) || got.Can("files:admin") {
		t.Errorf("Can: create %v, admin %v", got.Can(auth.ScopeCreate), got.Can("files:admin"))
	}
	if _, ok := auth.PrincipalFromLambdaContext(map[string]any{"organizationId": org}); ok {
		t.Error("a context without a project is a principal")
	}
}
