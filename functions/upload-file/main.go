// Command upload-file is the Lambda behind POST /api/v1/beta/files.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.HTTPHandler(context.Background(), "UploadFileFunction")
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
