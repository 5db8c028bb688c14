// Command query-compat-files is the Lambda behind POST /api/v1/beta/files/query.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/query-compat-files/querycompatfiles"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(querycompatfiles.New(env).Handle)
}
