// Command file-events consumes the files table's stream: each settled or
// deleted file becomes an event, published to the stack's EventBridge bus
// and delivered once, straight away, to the project's webhook endpoints.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/file-events/fileevents"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(fileevents.New(env))
}
