// Command hello is the cold-start floor of infra/bench/results/results.md: the smallest Go
// Lambda (the Go runtime plus aws-lambda-go), built with the same flags as
// every Filegate function.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) (string, error) {
		return "hello", nil
	})
}
