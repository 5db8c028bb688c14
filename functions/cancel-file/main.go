// Command cancel-file is the Lambda behind POST /v1/files/{id}/cancel.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/cancel-file/cancelfile"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(cancelfile.New(env).Handle)
}
