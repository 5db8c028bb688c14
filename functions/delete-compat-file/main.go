// Command delete-compat-file is the Lambda behind DELETE /api/v1/beta/files/{id}.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.HTTPHandler(context.Background(), "DeleteCompatFileFunction")
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
