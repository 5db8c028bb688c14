// Command list-compat-files is the Lambda behind GET /api/v1/beta/files.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(wiring.HTTP(env, compatapi.List(wiring.Listing(env), s3wiring.Downloads(env))).Handle)
}
