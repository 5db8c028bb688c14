// Command cleanup consumes the files table's stream: when DynamoDB TTL removes
// a record, it deletes the file's object, so expiry leaves no orphans.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.CleanupHandler(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
