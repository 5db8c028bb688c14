// Command recount rebuilds a project's counts (its files, COMPLETED files,
// what its quota holds, the position counts deep native lists start from)
// from its file records, for when the counter consumer gave records up
// (CountersDLQ; docs/operations.md). Against the running local stack (`make
// recount PROJECT=<uuid> [DRY_RUN=1]` loads .local/env) or, with AWS
// credentials and TABLE_NAME set, against a deployed table.
//
//	recount -project <uuid> [-dry-run] [-settle 5s]
//
// A dry run prints each count that differs from the records and writes
// nothing. Otherwise the differing counts are set to the records' values.
// It reads every record of the project (strongly consistent reads: about one
// read unit per 4 KB of records).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/filegate/filegate/infra/operatordb"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		log.Fatalf("recount: %v", err)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("recount", flag.ContinueOnError)
	project := fs.String("project", "", "project UUID")
	dryRun := fs.Bool("dry-run", false, "show the drift, write nothing")
	settle := fs.Duration("settle", 5*time.Second, "wait this long after reading the records for the counter consumer to apply what was written just before (its lag)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !auth.ValidUUID(*project) || fs.NArg() > 0 {
		return errors.New("usage: recount -project <uuid> [-dry-run] [-settle 5s]")
	}
	projectID := strings.ToLower(*project)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	store := dynamostore.New(operatordb.Open(ctx, "recount", "recount"))
	drift, err := store.Recount(ctx, projectID, *settle, !*dryRun)
	if err != nil {
		return fmt.Errorf("project %s: %w", projectID, err)
	}
	for _, d := range drift {
		fmt.Fprintln(out, d)
	}
	switch {
	case len(drift) == 0:
		fmt.Fprintf(out, "project %s: its counts are its records'\n", projectID)
	case *dryRun:
		fmt.Fprintf(out, "project %s: %d counts differ from its records (dry run: nothing written)\n", projectID, len(drift))
	default:
		fmt.Fprintf(out, "project %s: %d counts set to its records'\n", projectID, len(drift))
	}
	return nil
}
