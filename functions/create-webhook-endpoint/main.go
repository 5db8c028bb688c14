// Command create-webhook-endpoint is the Lambda behind POST /v1/webhook-endpoints.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(wiring.HTTP(env, nativeapi.CreateWebhookEndpoint(eventwiring.Secrets(env))).Handle)
}
