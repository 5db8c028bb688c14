// Command scan-result settles files with GuardDuty Malware Protection for
// S3's scan results, which a rule routes here from the default event bus:
// clean completes a file, malware rejects it and deletes its object.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/filegate/filegate/functions/scan-result/scanresult"
	"github.com/filegate/filegate/shared/wiring"
)

func main() {
	env, err := wiring.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(scanresult.New(env))
}
