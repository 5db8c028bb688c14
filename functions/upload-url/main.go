// Command upload-url is the Lambda behind POST /v1/files/{id}/upload-url.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(wiring.HTTP(env, nativeapi.UploadURL(uploadwiring.Sessions(env), wiring.Tokens(env))).Handle)
}
