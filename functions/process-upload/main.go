// Command process-upload validates uploads on S3 ObjectCreated events and
// moves their files to COMPLETED or REJECTED.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/process-upload/processupload"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(processupload.New(env))
}
