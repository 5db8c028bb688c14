// Command list-webhook-endpoints is the Lambda behind GET /v1/webhook-endpoints.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/list-webhook-endpoints/listwebhookendpoints"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(listwebhookendpoints.New(env).Handle)
}
