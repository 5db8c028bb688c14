package upload

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/filegate/filegate/shared/files"
)

// deletedBeforeWrite is a store where another request deletes the file
// between a use case's read and its conditional write.
type deletedBeforeWrite struct{ testStore }

func (d deletedBeforeWrite) Transition(ctx context.Context, f *files.File, from files.Status, c files.Change) (*files.File, error) {
	if err := d.testStore.Delete(ctx, f); err != nil {
		return nil, err
	}
	return d.testStore.Transition(ctx, f, from, c)
}

// A cancel that loses its write to a delete answers as the file now is:
// not found. A 409 "not PENDING" names a state the file was never in, which
// no order of the two calls explains (infra/history's checker found it).
func TestCancelRacingADeleteAnswersNotFound(t *testing.T) {
	ctx := context.Background()
	mem, obj := newMemStore(), newMemObjects()
	s := newService(mem, obj, files.Options{})
	f := mustCreate(t, s)
	racing := newService(deletedBeforeWrite{mem}, obj, files.Options{})
	if _, err := racing.Cancel(ctx, project, f.ID); !errors.Is(err, files.ErrNotFound) {
		t.Fatalf("cancel after a concurrent delete: %v, want not found", err)
	}
}

// A cancel that loses its write to a completion names the state it lost to.
func TestCancelRacingACompletionNamesCompleted(t *testing.T) {
	ctx := context.Background()
	mem, obj := newMemStore(), newMemObjects()
	s := newService(mem, obj, files.Options{})
	f := mustCreate(t, s)
	racing := newService(completedBeforeWrite{mem}, obj, files.Options{})
	_, err := racing.Cancel(ctx, project, f.ID)
	var fe *files.Error
	if !errors.As(err, &fe) || fe.Kind != files.KindConflict || fe.Code != "invalid_state" || !strings.Contains(fe.Message, "COMPLETED") {
		t.Fatalf("cancel after a concurrent completion: %v, want a conflict naming COMPLETED", err)
	}
}

// completedBeforeWrite is a store where the file completes between a use
// case's read and its conditional write.
type completedBeforeWrite struct{ testStore }

func (d completedBeforeWrite) Transition(ctx context.Context, f *files.File, from files.Status, c files.Change) (*files.File, error) {
	if _, err := d.testStore.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCompleted, At: c.At}); err != nil {
		return nil, err
	}
	return d.testStore.Transition(ctx, f, from, c)
}
