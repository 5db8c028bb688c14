// Command default-route is the Lambda behind the HTTP API's $default route
// (and its unauthenticated OPTIONS /{proxy+}): unknown routes and methods,
// answered in the envelope of the dialect their path is under.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/default-route/defaultroute"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(defaultroute.New(env).Handle)
}
