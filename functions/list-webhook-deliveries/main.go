// Command list-webhook-deliveries is the Lambda behind GET /v1/webhook-endpoints/{id}/deliveries.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/list-webhook-deliveries/listwebhookdeliveries"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(listwebhookdeliveries.New(env).Handle)
}
