// Command authorizer is the HTTP API's Lambda authorizer: Bearer API key →
// organization, project and scopes.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	h, err := wiring.AuthorizerHandler(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
