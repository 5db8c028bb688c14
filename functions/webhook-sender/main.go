// Command webhook-sender runs every minute: it retries the webhook
// deliveries that are due, and dead-letters those out of retries.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/webhook-sender/webhooksender"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(webhooksender.New(env))
}
