// Command replay-webhook-delivery is the Lambda behind POST /v1/webhook-endpoints/{id}/deliveries/{eventId}/replay.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/replay-webhook-delivery/replaywebhookdelivery"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(replaywebhookdelivery.New(env).Handle)
}
