package dynamostore

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

// classify turns DynamoDB errors into the domain's vocabulary. Faults the SDK
// would retry (throttling, 5xx, connection errors) are still retryable after its
// bounded retries ran out, so callers see "unavailable", not "internal"; so is
// a call the request's deadline ended (DynamoDB stalled: the SDK reports it as
// cancelled, which its retry rules never retry).
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, dynamo.ErrNotFound):
		return files.ErrNotFound
	case dynamo.IsCondCheckFailed(err):
		return files.ErrConditionFailed
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return files.Unavailable("storage", err)
	case retryable.IsErrorRetryable(err) == aws.TrueTernary:
		return files.Unavailable("storage", err)
	default:
		return files.Internal(err)
	}
}

// retryable is the SDK's retryable faults plus transaction conflicts (two
// transactions meeting on a project's counter item), which also clear on retry.
var retryable = func() retry.IsErrorRetryables {
	o := retry.StandardOptions{Retryables: slices.Clone(retry.DefaultRetryables)}
	dynamo.RetryTxConflicts(&o)
	return retry.IsErrorRetryables(o.Retryables)
}()
