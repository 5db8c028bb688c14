// Command rotate-webhook-secret is the Lambda behind POST /v1/webhook-endpoints/{id}/rotate-secret.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/rotate-webhook-secret/rotatewebhooksecret"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(rotatewebhooksecret.New(env).Handle)
}
