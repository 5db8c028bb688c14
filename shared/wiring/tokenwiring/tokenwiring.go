// Package tokenwiring is the composition root of the functions that sign or
// verify upload tokens (the authorizer and the mint function): wiring's,
// plus the root secret they derive their keys from. Only their mains import
// it, so only they link the Secrets Manager client, and only their roles
// may read the secret (template.yaml).
package tokenwiring

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/rootsecret"
	"github.com/filegate/filegate/shared/secretfile"
	"github.com/filegate/filegate/shared/secretsmgr"
	"github.com/filegate/filegate/shared/uploadtoken"
	"github.com/filegate/filegate/shared/wiring"
)

// RootSecretCache is how long a warm function keeps the root secret: how
// long a rotation takes to reach it (a version it has not seen, named by a
// token another function signed, makes it reload sooner; see
// rootsecret.Cache.Lookup). Each load is two GetSecretValue calls.
const RootSecretCache = 5 * time.Minute

// RootSecret is the root secret, loaded on first use and cached: the file
// ROOT_SECRET_FILE names (the local stack), else the Secrets Manager secret
// ROOT_SECRET_ARN names (AWS).
func RootSecret(e *wiring.Env) *rootsecret.Cache {
	var src rootsecret.Source = unset{}
	switch c := e.Config; {
	case c.RootSecretFile != "":
		src = secretfile.Source{Path: c.RootSecretFile}
	case c.RootSecretARN != "":
		client := secretsmanager.NewFromConfig(e.AWS, func(o *secretsmanager.Options) { o.BaseEndpoint = e.Endpoint("SECRETS_MANAGER") })
		src = secretsmgr.New(client, c.RootSecretARN)
	}
	return rootsecret.NewCache(src, RootSecretCache, time.Now)
}

// unset is the root secret of a function configured without one: every
// use fails, saying what is missing.
type unset struct{}

func (unset) Load(context.Context) (rootsecret.Versions, error) {
	return rootsecret.Versions{}, errors.New("no root secret: set ROOT_SECRET_ARN (AWS) or ROOT_SECRET_FILE (local)")
}

// Keys are upload tokens' signing keys, derived from the root secret.
func Keys(e *wiring.Env) uploadtoken.KeyRing { return uploadtoken.KeyRing{Root: RootSecret(e)} }

// Authorizer is the HTTP API's Lambda authorizer: API keys and upload tokens.
func Authorizer(e *wiring.Env) wiring.AuthorizerLambda {
	a := &auth.Authorizer{
		Keys:   dynamostore.NewKeys(e.DynamoDB(), e.Config.TableName),
		Tokens: &uploadtoken.Verifier{Keys: Keys(e), Now: time.Now},
		Log:    e.Log,
	}
	return a.Handle
}

// Minter mints upload tokens (POST /v1/upload-tokens).
func Minter(e *wiring.Env) *uploadtoken.Minter {
	c := wiring.Options(e).Resolved().Config
	return &uploadtoken.Minter{Keys: Keys(e), MaxBytes: c.MaxBytes, Purposes: c.Purposes, Now: time.Now,
		APIKeys: dynamostore.NewKeys(e.DynamoDB(), e.Config.TableName)}
}
