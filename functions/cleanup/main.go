// Command cleanup consumes the files table's stream: when DynamoDB TTL removes
// a record, it deletes the file's object, so expiry leaves no orphans.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/cleanup/cleanup"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(cleanup.New(env))
}
