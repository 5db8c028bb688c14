package dynamostore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/perbinary"
	"github.com/filegate/filegate/infra/localstack/process"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// The store's tests run against DynamoDB Local, started once per test binary
// by the local stack's own launcher, the first time a test opens a table;
// each test gets a table of its own, made from template.yaml's definition.

var (
	localDB perbinary.Server[*dynamodblocal.DynamoDB]
	tables  atomic.Int64
)

func TestMain(m *testing.M) {
	code := m.Run()
	localDB.Stop()
	os.Exit(code)
}

// testTable is one test's table on DynamoDB Local.
type testTable struct {
	name   string
	client *dynamodb.Client
	db     *dynamo.DB
}

// mustOpenTable creates a fresh table in the template's layout; a missing
// DynamoDB Local fails the test with what to install.
func mustOpenTable(tb testing.TB) testTable {
	tb.Helper()
	db := localDB.Get(tb, "DynamoDB Local did not start (run `make tools`; Java 17+ is required)", func(dir string) (*dynamodblocal.DynamoDB, error) {
		return dynamodblocal.StartDynamoDB(context.Background(), process.ToolsDir(), "", filepath.Join(dir, "dynamodb.log"))
	})
	tpl, err := samtemplate.ReadTemplate("../../template.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	t := testTable{name: fmt.Sprintf("files-%d", tables.Add(1)), client: db.Client()}
	if err := localstack.CreateTable(context.Background(), t.client, t.name, tpl.Table); err != nil {
		tb.Fatal(err)
	}
	t.db = dynamo.NewFromIface(t.client)
	return t
}

// openStore is a fresh table and the store on it.
func openStore(tb testing.TB) (testTable, *dynamostore.Store) {
	tb.Helper()
	tab := mustOpenTable(tb)
	return tab, dynamostore.New(tab.db, tab.name)
}

// item reads f's raw item (dynamostore.KeyOf addresses it).
func (t testTable) item(tb testing.TB, f *files.File) map[string]types.AttributeValue {
	tb.Helper()
	out, err := t.client.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(t.name), Key: dynamostore.KeyOf(f), ConsistentRead: aws.Bool(true)})
	if err != nil {
		tb.Fatal(err)
	}
	return out.Item
}
