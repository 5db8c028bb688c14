// Command complete-file is the Lambda behind POST /v1/files/{id}/complete.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.HTTPHandler(context.Background(), "CompleteFileFunction")
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
