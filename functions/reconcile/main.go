// Command reconcile runs on a schedule: it settles uploads whose S3 event was
// lost and deletes objects that have no record.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/reconcile/reconcile"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(reconcile.New(env))
}
