// Command mint-upload-token is the Lambda behind POST /v1/upload-tokens.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/mint-upload-token/mintuploadtoken"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(mintuploadtoken.New(env).Handle)
}
