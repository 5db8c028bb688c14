package dynamostore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// A token's ledger charges each file once and never past its budget, even
// when its creates race.
func TestTokenLedger(t *testing.T) {
	tab := mustOpenTable(t)
	ledger := dynamostore.NewTokenLedger(tab.db, tab.name)
	ctx := context.Background()
	tk := &auth.Token{ID: "utk_ledger", ExpiresAt: time.Now().Add(time.Hour), MaxFiles: 3, MaxBytes: 100}
	newID := func() files.FileID { return files.NewID(time.Now()) }
	a, b, last := newID(), newID(), newID()
	if err := ledger.Charge(ctx, tk, a, 60); err != nil {
		t.Fatal(err)
	}
	if err := ledger.Charge(ctx, tk, a, 60); err != nil {
		t.Errorf("the same file again (a keyed retry): %v, want nil", err)
	}
	if err := ledger.Charge(ctx, tk, b, 41); code(err) != "token_byte_limit" {
		t.Errorf("41 more bytes of 100 with 60 used: %v, want token_byte_limit", err)
	}
	// Two files left by count, 40 bytes by size: of 8 racing 20-byte files, 2 fit.
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 8 {
		wg.Go(func() {
			err := ledger.Charge(ctx, tk, newID(), 20)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
			} else if c := code(err); c != "token_file_limit" && c != "token_byte_limit" {
				t.Errorf("racing charge: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 2 {
		t.Errorf("%d racing files charged, want 2", ok)
	}
	if err := ledger.Charge(ctx, tk, last, 0); code(err) != "token_file_limit" {
		t.Errorf("a fourth file: %v, want token_file_limit", err)
	}
	for id, want := range map[files.FileID]bool{a: true, b: false, last: false} {
		if owns, err := ledger.Owns(ctx, tk.ID, id); err != nil || owns != want {
			t.Errorf("Owns(%s) = %v, %v; want %v", id, owns, err, want)
		}
	}
	if owns, err := ledger.Owns(ctx, "utk_other", a); err != nil || owns {
		t.Errorf("another token owns %s: %v %v", a, owns, err)
	}
}

func code(err error) string {
	var e *files.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
