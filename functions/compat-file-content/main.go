// Command compat-file-content is the Lambda behind GET /api/v1/beta/files/{id}/content.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/compat-file-content/compatfilecontent"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(compatfilecontent.New(env).Handle)
}
