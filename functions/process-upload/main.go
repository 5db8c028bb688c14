// Command process-upload validates uploads on S3 ObjectCreated events and
// moves their files to COMPLETED or REJECTED.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.ProcessUploadHandler(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
