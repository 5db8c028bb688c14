// Command bench is `make bench`: it measures Filegate against its budgets
// (docs/ARCHITECTURE.md "Budgets") and writes infra/bench/results/results.md and results.json.
//
//	go run ./infra/bench/cmd/bench [-quick] [-only size,coldstart,...] [-out dir]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/filegate/filegate/infra/bench"
)

func main() {
	quick := flag.Bool("quick", false, "a smoke run of every section with tiny sizes (not results to quote)")
	only := flag.String("only", "", "comma-separated sections to run: "+strings.Join(bench.SectionNames, ","))
	out := flag.String("out", "", "directory for results.md and results.json (default: <repo>/infra/bench/results)")
	flag.Parse()

	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if err != nil || root == "." || strings.TrimSpace(string(gomod)) == os.DevNull {
		fmt.Fprintln(os.Stderr, "bench: run from the repository (no go.mod above the working directory)", err)
		os.Exit(2)
	}
	cfg := bench.Full(root)
	if *quick {
		cfg = bench.Quick(root)
	}
	if *out != "" {
		cfg.Out = *out
	}
	if *only != "" {
		cfg.Sections = map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			cfg.Sections[strings.TrimSpace(s)] = true
		}
	}
	// The functions run in this process behind the local API and log to
	// stdout, as on Lambda; keep their lines (and their cost) out of the way.
	logPath := filepath.Join(os.TempDir(), "filegate-bench-functions.log")
	if f, err := os.Create(logPath); err == nil {
		defer f.Close()
		os.Stdout = f
	}
	began := time.Now()
	cfg.Log = func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(began).Seconds(), fmt.Sprintf(format, a...))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, err = bench.Run(ctx, cfg)
	fmt.Fprintf(os.Stderr, "results: %s, %s (function logs: %s)\n", filepath.Join(cfg.Out, "results.md"), filepath.Join(cfg.Out, "results.json"), logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: some sections failed:\n"+err.Error())
		os.Exit(1)
	}
}
