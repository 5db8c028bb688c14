// Command list-files is the Lambda behind GET /v1/files.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.HTTPHandler(context.Background(), "ListFilesFunction")
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
