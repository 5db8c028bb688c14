// Command list-compat-files is the Lambda behind GET /api/v1/beta/files.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/list-compat-files/listcompatfiles"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(listcompatfiles.New(env).Handle)
}
