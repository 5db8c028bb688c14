// Command delete-webhook-endpoint is the Lambda behind DELETE /v1/webhook-endpoints/{id}.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/delete-webhook-endpoint/deletewebhookendpoint"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(deletewebhookendpoint.New(env).Handle)
}
