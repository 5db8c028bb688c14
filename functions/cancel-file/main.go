// Command cancel-file is the Lambda behind POST /v1/files/{id}/cancel.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(wiring.HTTP(env, nativeapi.Cancel(s3wiring.Cancellation(env), wiring.Idempotency(env), wiring.Tokens(env))).Handle)
}
