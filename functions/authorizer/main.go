// Command authorizer is the HTTP API's Lambda authorizer: Bearer API key →
// organization, project and scopes; Bearer upload token → its project and
// limits, verified with a key derived from the root secret.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/authorizer/authorizer"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(authorizer.New(env))
}
