// Command delete-compat-file is the Lambda behind DELETE /api/v1/beta/files/{id}.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/delete-compat-file/deletecompatfile"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(deletecompatfile.New(env).Handle)
}
