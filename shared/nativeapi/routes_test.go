package nativeapi

import (
	"testing"

	"github.com/filegate/filegate/shared/idempotency"
	"github.com/filegate/filegate/shared/routeguard"
)

// A keyed repeat of a create runs again, as a lookup of the file its key
// names, so it answers with a freshly signed URL; the other writes replay
// their stored answer.
func TestOnlyCreateRunsAgainOnReplay(t *testing.T) {
	var once *idempotency.Keys
	for _, tc := range []struct {
		rt    routeguard.Route
		rerun bool
	}{
		{Create(nil, once, nil), true},
		{Complete(nil, once, nil), false},
		{Cancel(nil, once, nil), false},
	} {
		if tc.rt.Once == nil || tc.rt.Rerun != tc.rerun {
			t.Errorf("%s: once %v, rerun %v; want rerun %v", tc.rt.Pattern, tc.rt.Once, tc.rt.Rerun, tc.rerun)
		}
	}
}
