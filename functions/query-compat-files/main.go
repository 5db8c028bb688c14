// Command query-compat-files is the Lambda behind POST /api/v1/beta/files/query.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.HTTPHandler(context.Background(), "QueryCompatFilesFunction")
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
