// Package operatordb opens the files table for the operator's commands
// (infra/cmd/apikey, limits, recount): against the running local stack
// (their make targets load .local/env) or, with AWS credentials and
// TABLE_NAME set, against a deployed table.
package operatordb

import (
	"context"
	"log"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/guregu/dynamo/v2"
)

// Open is the DynamoDB client and the table's name, or exits saying how to
// get them; tool names the command in the message, target its make target.
// The full SDK configuration chain (profiles, SSO) is fine here: these are
// an operator's tools, not Lambdas.
func Open(ctx context.Context, tool, target string) (*dynamo.DB, string) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	table := os.Getenv("TABLE_NAME")
	if err != nil || table == "" {
		log.Fatalf("%s: set TABLE_NAME and AWS credentials, or run `make %s` with `make dev` running (%v)", tool, target, err)
	}
	return dynamo.New(awsCfg), table
}
