// Command default-route is the Lambda behind the HTTP API's $default route
// (and its unauthenticated OPTIONS /{proxy+}): unknown routes and methods,
// answered in the envelope of the dialect their path is under.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.HTTPHandler(context.Background(), "DefaultRouteFunction")
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
