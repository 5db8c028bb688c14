// Command compat-file-content is the Lambda behind GET /api/v1/beta/files/{id}/content.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.HTTPHandler(context.Background(), "CompatFileContentFunction")
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
