package wiring

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/guregu/dynamo/v2"
)

// awsConfig builds the SDK configuration from what Lambda puts in the
// environment (AWS_REGION and the role's AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). It replaces
// config.LoadDefaultConfig on purpose: that package links the SSO, STS and
// sign-in clients and shared-file parsing into every function — 0.5 MB of
// each zipped bootstrap (12.1 → 10.6 MB unzipped) that a Lambda never uses.
func awsConfig(getenv func(string) string) aws.Config {
	return aws.Config{
		Region:      getenv("AWS_REGION"),
		Credentials: credentials.NewStaticCredentialsProvider(getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN")),
		// Bounded retries: a dependency that is down fails fast into a 503
		// rather than holding the request until API Gateway's 30 s timeout.
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.MaxBackoff = time.Second
				// Transactions that meet on a project's counter item cancel
				// each other (TransactionConflict); that clears on retry.
				dynamo.RetryTxConflicts(o)
			})
		},
	}
}

// Endpoint honours the SDK's standard endpoint settings for service ("S3",
// "DYNAMODB"), as config.LoadDefaultConfig would: AWS_ENDPOINT_URL_<SERVICE>,
// then AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
// nil means the service's regional AWS endpoint.
func (e *Env) Endpoint(service string) *string {
	if e.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") == "true" {
		return nil
	}
	for _, name := range []string{"AWS_ENDPOINT_URL_" + service, "AWS_ENDPOINT_URL"} {
		if v := e.getenv(name); v != "" {
			return &v
		}
	}
	return nil
}
