package dynamostore

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/uploadtoken"
)

// An upload token's one item, its ledger:
//
//	pk=T#<tokenId> sk=TOKEN  fileCount, byteCount, fileIds, ttl
//
// written only by that token's own creates (the one item a request path
// shares, and only with that token's other requests: docs/ARCHITECTURE.md
// "Limits and lifetimes"). Tokens' signing keys are never stored: they derive
// from the root secret (shared/rootsecret).
const ledgerSK = "TOKEN"

func ledgerPK(tokenID string) string { return "T#" + tokenID }

// ledgerKeep is how long a ledger outlives the token that last charged
// it: renewals (uploadtoken.Request.Renew) continue the ledger for a week.
const ledgerKeep = 7 * 24 * time.Hour

// TokenLedger implements uploadtoken.Ledger: one item per upload token.
type TokenLedger struct{ table dynamo.Table }

var _ uploadtoken.Ledger = (*TokenLedger)(nil)

// NewTokenLedger returns the ledger on the named table.
func NewTokenLedger(db *dynamo.DB, table string) *TokenLedger {
	return &TokenLedger{table: db.Table(table)}
}

type ledgerItem struct {
	FileCount int      `dynamo:"fileCount"`
	ByteCount int64    `dynamo:"byteCount"`
	FileIDs   []string `dynamo:"fileIds,set"`
}

func (l *TokenLedger) read(ctx context.Context, tokenID string) (ledgerItem, error) {
	var it ledgerItem
	err := l.table.Get("pk", ledgerPK(tokenID)).Range("sk", dynamo.Equal, ledgerSK).Consistent(true).One(ctx, &it)
	if errors.Is(err, dynamo.ErrNotFound) {
		return ledgerItem{}, nil
	}
	return it, classify(err)
}

// Owns reports whether the token's ledger lists the file.
func (l *TokenLedger) Owns(ctx context.Context, tokenID string, file files.FileID) (bool, error) {
	it, err := l.read(ctx, tokenID)
	return slices.Contains(it.FileIDs, file.String()), err
}

// Charge adds the file to the token's ledger if it fits, in one conditional
// update: no read-then-write, so two concurrent creates of one token can
// never both take its last file or byte.
func (l *TokenLedger) Charge(ctx context.Context, t *auth.Token, file files.FileID, size int64) error {
	fileID := file.String()
	room := t.MaxBytes - size
	if room < 0 {
		return uploadtoken.ByteLimit(t)
	}
	err := classify(l.table.Update("pk", ledgerPK(t.ID)).Range("sk", ledgerSK).
		SetExpr("$ = if_not_exists($, ?) + ?", "fileCount", "fileCount", 0, 1).
		SetExpr("$ = if_not_exists($, ?) + ?", "byteCount", "byteCount", 0, size).
		AddStringsToSet("fileIds", fileID).
		Set("ttl", t.ExpiresAt.Add(ledgerKeep).Unix()).
		If("(attribute_not_exists($) OR $ < ?)", "fileCount", "fileCount", t.MaxFiles).
		If("(attribute_not_exists($) OR $ <= ?)", "byteCount", "byteCount", room).
		If("NOT contains($, ?)", "fileIds", fileID).
		Run(ctx))
	if !errors.Is(err, files.ErrConditionFailed) {
		return err
	}
	it, err := l.read(ctx, t.ID)
	switch {
	case err != nil:
		return err
	case slices.Contains(it.FileIDs, fileID):
		return nil // a retry of a keyed create: charged once already
	case it.FileCount >= t.MaxFiles:
		return files.Errorf(files.KindForbidden, "token_file_limit", "this upload token allows at most %d files, and has created them", t.MaxFiles)
	default:
		return uploadtoken.ByteLimit(t)
	}
}
