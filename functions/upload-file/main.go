// Command upload-file is the Lambda behind POST /api/v1/beta/files.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(wiring.HTTP(env, compatapi.Upload(uploadwiring.Direct(env), wiring.Idempotency(env))).Handle)
}
