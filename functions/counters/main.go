// Command counters consumes the files table's stream: every change to a file
// record moves its project's counts (totalCount, total_size), off the
// request path.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/counters/counters"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(counters.New(env))
}
