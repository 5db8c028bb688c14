// Command limits sets the operator's rate limits and quotas, `make
// api-key`'s sibling: against the running local stack (`make limits`
// loads .local/env) or, with AWS credentials and TABLE_NAME set, against a
// deployed table. Function instances read what it writes within 30 s
// (dynamostore.LimitsCacheTTL).
//
//	limits get -org <uuid> [-project <uuid>]
//	limits set -org <uuid> [-project <uuid>] [-write N] [-read N] [-search N] [-max-files N] [-max-bytes N]
//
// Rates are requests per second: an organization's replace the
// deployment's defaults (RateLimitWrite/Read/Search), a project's add a
// bucket of its own. Quotas are per project. set changes only the flags
// given; 0 removes a setting.
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
	"github.com/filegate/filegate/shared/ratelimit"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	org := fs.String("org", "00000000-0000-4000-8000-000000000001", "organization UUID")
	project := fs.String("project", "", "project UUID (none: the organization's rates)")
	write := fs.Int("write", 0, "Write requests per second")
	read := fs.Int("read", 0, "Read requests per second")
	search := fs.Int("search", 0, "Search requests per second")
	maxFiles := fs.Int64("max-files", 0, "files the project may hold (PENDING or COMPLETED)")
	maxBytes := fs.Int64("max-bytes", 0, "bytes the project may hold")
	_ = fs.Parse(args)
	if !auth.ValidUUID(*org) || (*project != "" && !auth.ValidUUID(*project)) {
		usage()
	}
	orgID, projectID := strings.ToLower(*org), strings.ToLower(*project)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	limits := dynamostore.NewLimits(operatordb.Open(ctx, "limits", "limits"))
	pl, err := limits.Get(ctx, orgID, projectID)
	check(err)
	switch cmd {
	case "get":
	case "set":
		var bad []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "write", "read", "search":
				n := map[string]int{"write": *write, "read": *read, "search": *search}[f.Name]
				if n < 0 || n > wiring.MaxRateLimit {
					bad = append(bad, fmt.Sprintf("-%s must be 0 to %d", f.Name, wiring.MaxRateLimit))
				}
				pl.Rates.Set(ratelimit.Category(f.Name), n)
			case "max-files", "max-bytes":
				if projectID == "" {
					bad = append(bad, "quotas are per project: give -project")
				}
				if *maxFiles < 0 || *maxBytes < 0 {
					bad = append(bad, "-max-files and -max-bytes must be 0 or more")
				}
				if f.Name == "max-files" {
					pl.Quota.MaxFiles = *maxFiles
				} else {
					pl.Quota.MaxBytes = *maxBytes
				}
			}
		})
		if len(bad) > 0 {
			log.Fatalf("limits: %s", strings.Join(bad, "; "))
		}
		check(limits.Put(ctx, orgID, projectID, pl))
	default:
		usage()
	}
	show(orgID, projectID, pl)
}

// show prints what is set; "-" is not set (the next level's applies).
func show(orgID, projectID string, pl dynamostore.ProjectLimits) {
	n := func(v int64) string {
		if v == 0 {
			return "-"
		}
		return fmt.Sprint(v)
	}
	who := "organization " + orgID
	if projectID != "" {
		who = "project " + projectID + " of " + who
	}
	fmt.Printf("%s: write %s/s, read %s/s, search %s/s", who, n(int64(pl.Rates.Write)), n(int64(pl.Rates.Read)), n(int64(pl.Rates.Search)))
	if projectID != "" {
		fmt.Printf(", max files %s, max bytes %s", n(pl.Quota.MaxFiles), n(pl.Quota.MaxBytes))
	}
	fmt.Println()
}

func check(err error) {
	if err != nil {
		log.Fatalf("limits: %v", err)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: limits get -org <uuid> [-project <uuid>]\n       limits set -org <uuid> [-project <uuid>] [-write N] [-read N] [-search N] [-max-files N] [-max-bytes N]\n(0 removes a setting; quotas are per project)")
	os.Exit(2)
}
