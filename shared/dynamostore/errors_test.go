package dynamostore

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/filegate/filegate/shared/files"
)

func TestClassifyTransactions(t *testing.T) {
	tx := func(codes ...string) error {
		e := &types.TransactionCanceledException{Message: aws.String("cancelled")}
		for _, c := range codes {
			e.CancellationReasons = append(e.CancellationReasons, types.CancellationReason{Code: aws.String(c)})
		}
		return e
	}
	for name, tc := range map[string]struct {
		err  error
		kind files.Kind
	}{
		"condition failed":     {tx("None", "ConditionalCheckFailed"), files.KindConflict},
		"conflict on counter":  {tx("None", "TransactionConflict"), files.KindUnavailable},
		"throttled":            {tx("ThrottlingError"), files.KindUnavailable},
		"validation":           {tx("ValidationError"), files.KindInternal},
		"not a dynamodb error": {errors.New("boom"), files.KindInternal},
	} {
		if got := files.KindOf(classify(tc.err)); got != tc.kind {
			t.Errorf("%s: kind %d, want %d", name, got, tc.kind)
		}
	}
}
