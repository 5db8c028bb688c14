package dynamodblocal

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/filegate/filegate/infra/localstack/process"
)

func TestDynamoDBLocal(t *testing.T) {
	tools := process.RequireTools(t, "dynamodb/DynamoDBLocal.jar")
	ctx := t.Context()
	start := time.Now()
	d, err := StartDynamoDB(ctx, tools, "", filepath.Join(t.TempDir(), "dynamodb.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Stop() })
	t.Logf("DynamoDB Local ready at %s in %s", d.Endpoint, time.Since(start))

	db := d.Client()
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("items"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "k1"}, "v": &types.AttributeValueMemberN{Value: "42"},
	}})
	if err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("items"), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k1"}}})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if v, ok := got.Item["v"].(*types.AttributeValueMemberN); !ok || v.Value != "42" {
		t.Fatalf("GetItem returned %#v", got.Item)
	}

	stopStart := time.Now()
	if err := d.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("DynamoDB Local stopped in %s", time.Since(stopStart))
	if c, err := net.DialTimeout("tcp", d.Endpoint[len("http://"):], time.Second); err == nil {
		c.Close()
		t.Fatalf("port still open after Stop")
	}
	if _, err := os.Stat("dynamodb-local-metadata.json"); err == nil {
		t.Errorf("DynamoDB Local wrote dynamodb-local-metadata.json into our cwd")
	}
}

func TestDynamoDBLocalPersists(t *testing.T) {
	tools := process.RequireTools(t, "dynamodb/DynamoDBLocal.jar")
	ctx := t.Context()
	dir, logPath := filepath.Join(t.TempDir(), "ddb"), filepath.Join(t.TempDir(), "dynamodb.log")
	d, err := StartDynamoDB(ctx, tools, dir, logPath)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Client().CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("kept"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	d, err = StartDynamoDB(ctx, tools, dir, logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Stop() })
	out, err := d.Client().ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(out.TableNames) != 1 || out.TableNames[0] != "kept" {
		t.Fatalf("after restart ListTables = %v, %v; want [kept]", out, err)
	}
}
