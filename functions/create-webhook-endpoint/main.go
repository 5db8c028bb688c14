// Command create-webhook-endpoint is the Lambda behind POST /v1/webhook-endpoints.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/create-webhook-endpoint/createwebhookendpoint"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(createwebhookendpoint.New(env).Handle)
}
