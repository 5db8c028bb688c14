// Command apikey mints an API key for a project: against the running local
// stack (`make api-key PROJECT=<uuid>` loads .local/env) or, with AWS
// credentials and TABLE_NAME set, against a deployed table.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	project := flag.String("project", "", "project UUID the key acts for (required)")
	org := flag.String("org", "00000000-0000-4000-8000-000000000001", "organization UUID")
	scopes := flag.String("scopes", auth.ScopeCreate+","+auth.ScopeRead, "comma-separated scopes")
	flag.Parse()
	if !auth.ValidUUID(*project) || !auth.ValidUUID(*org) {
		fmt.Fprintln(os.Stderr, "usage: apikey -project <uuid> [-org <uuid>] [-scopes files:create,files:read]")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	keys, err := wiring.Keys(ctx)
	if err != nil {
		log.Fatalf("apikey: %v (is `make dev` running?)", err)
	}
	key, err := auth.Mint(ctx, keys, strings.ToLower(*org), strings.ToLower(*project), strings.Split(*scopes, ","), time.Now())
	if err != nil {
		log.Fatalf("apikey: %v (is `make dev` running?)", err)
	}
	fmt.Println(key)
}
