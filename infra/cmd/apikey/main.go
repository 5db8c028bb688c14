// Command apikey manages API keys: against the running local stack (`make
// api-key PROJECT=<uuid>` loads .local/env) or, with AWS credentials and
// TABLE_NAME set, against a deployed table. Keys are printed once and stored
// only as SHA-256 hashes; this tool never logs key material.
//
//	apikey mint -project <uuid> [-org <uuid>] [-scopes files:create,files:read]
//	apikey revoke -key <secret> | -hash <sha256 hex>
//	apikey rotate -key <secret>
//
// A revoked key stops working once API Gateway's authorizer cache for it
// expires (AuthorizerCacheTtlSeconds, 60 s by default).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/filegate/filegate/infra/operatordb"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	project := fs.String("project", "", "project UUID the key acts for")
	org := fs.String("org", "00000000-0000-4000-8000-000000000001", "organization UUID")
	scopes := fs.String("scopes", auth.ScopeCreate+","+auth.ScopeRead, "comma-separated scopes")
	secret := fs.String("key", "", "the key (secret) to revoke or rotate")
	hash := fs.String("hash", "", "the stored hash of the key to revoke")
	_ = fs.Parse(args)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	keys := dynamostore.NewKeys(operatordb.Open(ctx, "apikey", "api-key"))
	now := time.Now()
	switch cmd {
	case "mint":
		if !auth.ValidUUID(*project) || !auth.ValidUUID(*org) || !validScopes(*scopes) {
			usage()
		}
		key, err := auth.Mint(ctx, keys, strings.ToLower(*org), strings.ToLower(*project), strings.Split(*scopes, ","), now)
		check(err)
		fmt.Println(key)
	case "revoke":
		h := *hash
		if *secret != "" {
			h = auth.Hash(*secret)
		}
		if h == "" {
			usage()
		}
		check(keys.RevokeKey(ctx, h, now))
		fmt.Println("revoked", h)
	case "rotate":
		if *secret == "" {
			usage()
		}
		key, err := auth.Rotate(ctx, keys, *secret, now)
		check(err)
		fmt.Println(key)
	default:
		usage()
	}
}

func validScopes(s string) bool {
	for _, sc := range strings.Split(s, ",") {
		if sc != auth.ScopeCreate && sc != auth.ScopeRead {
			return false
		}
	}
	return true
}

func check(err error) {
	if err != nil {
		log.Fatalf("apikey: %v", err)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: apikey mint -project <uuid> [-org <uuid>] [-scopes files:create,files:read]\n       apikey revoke -key <secret> | -hash <sha256>\n       apikey rotate -key <secret>")
	os.Exit(2)
}
