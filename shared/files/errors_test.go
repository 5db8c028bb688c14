package files

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRetryOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Retry
	}{
		{ErrObjectMissing, RetryLater},
		{ErrConditionFailed, RetryLater},
		{Unavailable("storage", errors.New("throttled")), RetryLater},
		{Errorf(KindConflict, "invalid_state", "only a PENDING file can be cancelled"), RetryNever},
		{Errorf(KindInvalid, "invalid_md5", "md5"), RetryNever},
		{ErrNotFound, RetryNever},
		{Internal(errors.New("bug")), RetryUnknown},
		{errors.New("not ours"), RetryUnknown},
	} {
		if got := RetryOf(tc.err); got != tc.want {
			t.Errorf("RetryOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	if p := Errorf(KindInvalid, "x", "y").WithParam("limit"); p.Param != "limit" || ErrNotFound.WithParam("id").Param != "id" || ErrNotFound.Param != "" {
		t.Error("WithParam must copy, never change the original")
	}
}

// The direct upload's refusal states the limits the constants set.
func TestErrDirectTooLargeStatesTheLimits(t *testing.T) {
	for _, want := range []string{
		fmt.Sprintf("limited to %d bytes", MaxDirectUploadBytes),
		fmt.Sprintf("about %.1f MiB", float64(MaxDirectUploadBytes)/float64(mib)),
		fmt.Sprintf("whose %d-byte request limit", LambdaSyncPayloadBytes),
	} {
		if !strings.Contains(ErrDirectTooLarge.Message, want) {
			t.Errorf("ErrDirectTooLarge says %q; it lacks %q", ErrDirectTooLarge.Message, want)
		}
	}
}
