// Command smoke checks a deployed stack end to end in under a minute:
// go run ./infra/cmd/smoke -api <ApiUrl> -key <api key> (make smoke).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/smoke"
)

func main() {
	api := flag.String("api", "", "the stack's ApiUrl output")
	key := flag.String("key", "", "an API key with files:create and files:read")
	flag.Parse()
	if *api == "" || *key == "" {
		fmt.Fprintln(os.Stderr, "usage: make smoke API=<ApiUrl> KEY=<api key>")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	err := smoke.Run(ctx, &filegate.Client{Base: *api, Key: *key}, func(s smoke.Step) {
		fmt.Printf("ok  %-9s %s\n", s.Name, s.Took.Round(time.Millisecond))
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL", err)
		os.Exit(1)
	}
	fmt.Printf("smoke passed in %s\n", time.Since(start).Round(time.Millisecond))
}
