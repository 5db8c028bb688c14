// Command reconcile runs on a schedule: it settles uploads whose S3 event was
// lost and deletes objects that have no record.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.ReconcileHandler(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
