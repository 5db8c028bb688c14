package localstack

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// CreateTable creates the template's table on DynamoDB Local, if missing.
func CreateTable(ctx context.Context, client *dynamodb.Client, name string, spec samtemplate.TableSpec) error {
	in := &dynamodb.CreateTableInput{TableName: &name, BillingMode: ddbtypes.BillingMode(spec.BillingMode)}
	for _, a := range spec.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{AttributeName: aws.String(a.AttributeName), AttributeType: ddbtypes.ScalarAttributeType(a.AttributeType)})
	}
	in.KeySchema = keySchema(spec.KeySchema)
	for _, g := range spec.GlobalSecondaryIndexes {
		p := &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionType(g.Projection.ProjectionType), NonKeyAttributes: g.Projection.NonKeyAttributes}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{IndexName: aws.String(g.IndexName), KeySchema: keySchema(g.KeySchema), Projection: p})
	}
	if v := spec.StreamSpecification.StreamViewType; v != "" {
		in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewType(v)}
	}
	_, err := client.CreateTable(ctx, in)
	var exists *ddbtypes.ResourceInUseException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	if ttl := spec.TimeToLiveSpecification; ttl.Enabled && err == nil {
		_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &name, TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String(ttl.AttributeName), Enabled: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("enable TTL on %s: %w", name, err)
		}
	}
	return nil
}

func keySchema(ks []samtemplate.KeyElement) []ddbtypes.KeySchemaElement {
	out := make([]ddbtypes.KeySchemaElement, 0, len(ks))
	for _, k := range ks {
		out = append(out, ddbtypes.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: ddbtypes.KeyType(k.KeyType)})
	}
	return out
}

// CreateBucket creates the bucket with the template's CORS rules, if missing.
func CreateBucket(ctx context.Context, client *s3.Client, name string, cors []samtemplate.CORSRule) error {
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	if len(cors) == 0 {
		return nil
	}
	var rules []s3types.CORSRule
	for _, c := range cors {
		rules = append(rules, s3types.CORSRule{AllowedMethods: c.AllowedMethods, AllowedHeaders: c.AllowedHeaders, ExposeHeaders: c.ExposedHeaders, AllowedOrigins: c.AllowedOrigins, MaxAgeSeconds: aws.Int32(c.MaxAge)})
	}
	_, err = client.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: &name, CORSConfiguration: &s3types.CORSConfiguration{CORSRules: rules}})
	// MinIO answers 501 NotImplemented for bucket CORS (it allows every
	// origin itself; S3Proxy applies these rules in its place); only that
	// refusal is expected.
	var api smithy.APIError
	if err != nil && !(errors.As(err, &api) && api.ErrorCode() == "NotImplemented") {
		return fmt.Errorf("bucket CORS on %s: %w", name, err)
	}
	return nil
}
