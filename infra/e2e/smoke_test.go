package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/smoke"
)

// `make smoke` passes against a live stack (here the local one): every
// step, in order, within its minute; with a key that cannot read, it fails
// naming the step.
func TestSmokeChecksAStackEndToEnd(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var steps []string
	if err := smoke.Run(ctx, &filegate.Client{Base: stack.APIURL, Key: c.Key}, func(s smoke.Step) { steps = append(steps, s.Name) }); err != nil {
		t.Fatalf("smoke against the local stack: %v", err)
	}
	if want := []string{"create", "complete", "download", "delete"}; !slices.Equal(steps, want) {
		t.Fatalf("steps %v, want %v", steps, want)
	}
	writeOnly := newTenant(t, "files:create")
	err := smoke.Run(ctx, &filegate.Client{Base: stack.APIURL, Key: writeOnly.Key}, func(smoke.Step) {})
	if err == nil {
		t.Fatal("smoke passed with a key that cannot read files")
	}
	t.Logf("with a create-only key: %v", err)
}
