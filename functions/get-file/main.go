// Command get-file is the Lambda behind GET /v1/files/{id}.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.HTTPHandler(context.Background(), "GetFileFunction")
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
