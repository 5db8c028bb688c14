package files

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Order is how a listing of COMPLETED files is sorted: the orders the
// catalog's indexes can read, forwards or backwards. IDs are time-ordered, so
// id order is creation order. The values are part of page tokens' query
// fingerprints: keep them.
type Order string

const (
	OrderCreatedDesc Order = "created_at" // newest first
	OrderIDAsc       Order = "id"         // ascending id, so oldest first
	OrderNameAsc     Order = "name"       // ascending name, ties oldest first
	OrderNameDesc    Order = "name desc"  // descending name, ties newest first
)

// Valid reports whether o is one of the orders above.
func (o Order) Valid() bool {
	return o == OrderCreatedDesc || o == OrderIDAsc || o == OrderNameAsc || o == OrderNameDesc
}

// Descending reports whether o reads its index backwards.
func (o Order) Descending() bool { return o == OrderCreatedDesc || o == OrderNameDesc }

// ByName reports whether o sorts by name (then by id).
func (o Order) ByName() bool { return o == OrderNameAsc || o == OrderNameDesc }

const (
	// MaxPageSize caps a page of the compat listing.
	MaxPageSize = 1000
	// MaxFileIDs caps a file_ids filter: every page re-reads each listed id.
	MaxFileIDs = 1000
)

// Filter narrows a listing; zero fields do not filter. All given fields must match.
type Filter struct {
	FileName       string   // exact
	ExternalFileID string   // exact
	FileIDs        []string // nil: no id filter
	DataSourceID   string   // Filegate assigns no data sources, so a value matches nothing
}

// Cursor is where the next page starts: an opaque position that belongs to
// whoever made it (the catalog's index position, or the sort key of the last
// file of a file_ids listing), validated against the query on the way back
// in. It carries no storage names: page tokens are built from it.
type Cursor string

// Query is one page request.
type Query struct {
	ProjectID string
	Filter    Filter
	Order     Order
	Limit     int
	After     Cursor // "": first page
}

// Page is one page of a listing; Total counts every match, not just this page.
type Page struct {
	Files []*File
	Next  Cursor // "": last page
	Total int
}

// Catalog is the store's view of COMPLETED files, served by indexes that
// hold a record only while it is COMPLETED; the DynamoDB store implements it
// beside the record ports.
type Catalog interface {
	// QueryCompleted reads up to q.Limit index entries in q.Order, from
	// q.After, on the index that q.Filter's name and external id (never
	// FileIDs) narrow most, and returns their records in order. Records may
	// be stale, past retention or (for names longer than the index key)
	// another name: callers re-check. next continues after the last entry
	// read; "" when the index has no more. ErrInvalidCursor if q.After does
	// not belong to this query and project.
	QueryCompleted(ctx context.Context, q Query) (found []*File, next Cursor, err error)
	// CursorAfter continues q right after f, a record QueryCompleted returned for q.
	CursorAfter(q Query, f *File) Cursor
	// CountCompleted counts the project's COMPLETED records matching f's
	// name and external id; with neither it reads a counter.
	CountCompleted(ctx context.Context, projectID string, f Filter) (int, error)
	// GetMany reads the project's records with these ids; missing ones are skipped.
	GetMany(ctx context.Context, projectID string, ids []FileID) ([]*File, error)
}

// ErrInvalidCursor is the answer to a page token that does not fit its query.
var ErrInvalidCursor = &Error{Kind: KindInvalid, Code: "invalid_page_token", Message: "the page token is invalid, or was issued for another query or project"}

// Listing pages through a project's COMPLETED files (the compat API's
// listings) on the catalog.
type Listing struct {
	Options
	catalog Catalog
}

// NewListing lists through catalog.
func NewListing(catalog Catalog, o Options) *Listing {
	return &Listing{Options: o.Resolved(), catalog: catalog}
}

// ListCompleted returns one page of the project's live COMPLETED files.
func (l *Listing) ListCompleted(ctx context.Context, q Query) (Page, error) {
	return l.ListCompletedWhile(ctx, q, nil)
}

// Take is offered each file of a page in order and says whether the page
// holds it; the first file it refuses ends the page, which continues with
// that file. It must take a page's first file (ErrNothingTaken otherwise).
// The compat API renders each file as it is offered and stops at its
// response size budget; nil takes every file.
type Take func(*File) (bool, error)

// ErrNothingTaken is a Take that refused a page's first file: no page could
// ever move past it.
var ErrNothingTaken = errors.New("listing: the page's first file was not taken")

// ListCompletedWhile is ListCompleted ending the page where take refuses a
// file. Records are then read in rounds that start small (firstRound) and
// double, so a page that ends early reads little more than it holds.
func (l *Listing) ListCompletedWhile(ctx context.Context, q Query, take Take) (Page, error) {
	if q.Limit < 1 || q.Limit > MaxPageSize {
		return Page{}, Errorf(KindInvalid, "invalid_page_size", "page_size must be an integer from 1 to %d", MaxPageSize)
	}
	if !q.Order.Valid() {
		return Page{}, Errorf(KindInvalid, "invalid_order_by", "order_by must be one of name, id, created_at")
	}
	if len(q.Filter.FileIDs) > MaxFileIDs {
		return Page{}, Errorf(KindInvalid, "too_many_file_ids", "file_ids may list at most %d ids", MaxFileIDs)
	}
	if !q.Filter.satisfiable() {
		if q.After != "" {
			return Page{}, ErrInvalidCursor
		}
		return Page{}, nil
	}
	if q.Filter.FileIDs != nil {
		return l.listByIDs(ctx, q, take)
	}
	found, next, err := l.listIndexed(ctx, q, take)
	if err != nil {
		return Page{}, err
	}
	total, err := l.catalog.CountCompleted(ctx, q.ProjectID, q.Filter)
	if err != nil {
		return Page{}, err
	}
	return Page{Files: found, Next: next, Total: total}, nil
}

// Reading past hidden index entries stops listReserve before the request's
// deadline (the Lambda's timeout; the page must still be counted, rendered
// and sent), or after defaultListBudget when the context has no deadline
// (the template's 10 s function timeout less the reserve).
const (
	listReserve       = 2 * time.Second
	defaultListBudget = 8 * time.Second
	// maxCatalogRead bounds one read of index entries (and their records).
	maxCatalogRead = 1000
	// firstRound is the first read of a page a Take may end early.
	firstRound = 100
)

// ErrListingBudget answers a listing that found only hidden entries until
// its time ran out: a retry continues with fresh index state (TTL, index
// propagation) and time.
var ErrListingBudget = &Error{Kind: KindUnavailable, Code: "listing_unavailable",
	Message: "too many files changing or past their retention were in the way to find the next page in time; retry shortly"}

// listIndexed reads a page from the catalog. Index entries can be hidden
// from it: a record past retention (TTL removes it lazily), one that left
// COMPLETED after the eventually consistent index was read, a longer name
// sharing the index's name key. An empty page with a next token ends the
// official client's iteration early, so reading goes on past hidden entries
// until the page is full (or take refuses a file) and one more file is
// known to follow it, or the index ends. If the time budget runs out first,
// a short page keeps its token; an empty one is ErrListingBudget (503),
// never an empty page.
func (l *Listing) listIndexed(ctx context.Context, q Query, take Take) ([]*File, Cursor, error) {
	stop := time.Now().Add(defaultListBudget)
	if d, ok := ctx.Deadline(); ok {
		stop = d.Add(-listReserve)
	}
	page := make([]*File, 0, min(q.Limit, firstRound))
	read := q
	read.Limit = q.Limit + 1 // the page, and one more to know whether another follows
	if take != nil {
		read.Limit = min(read.Limit, firstRound)
	}
	for rounds := 1; ; rounds++ {
		found, next, err := l.catalog.QueryCompleted(ctx, read)
		if err != nil {
			return nil, "", err
		}
		for _, f := range l.visible(found, q.Filter) {
			if len(page) == q.Limit {
				return page, l.catalog.CursorAfter(q, page[len(page)-1]), nil
			}
			switch ok, err := offer(take, f, len(page)); {
			case err != nil:
				return nil, "", err
			case !ok:
				return page, l.catalog.CursorAfter(q, page[len(page)-1]), nil
			}
			page = append(page, f)
		}
		switch {
		case next == "":
			return page, "", nil
		case !time.Now().Before(stop) && len(page) == 0:
			return nil, "", ErrListingBudget
		case !time.Now().Before(stop):
			return page, l.catalog.CursorAfter(q, page[len(page)-1]), nil
		}
		needed := q.Limit + 1 - len(page)
		read.After = next
		if take != nil {
			read.Limit = min(maxCatalogRead, needed, firstRound<<min(rounds, 10)) // rounds double
		} else {
			// Entries were hidden: read more at a time while they keep being.
			read.Limit = min(maxCatalogRead, needed<<min(rounds, 10))
		}
	}
}

// offer asks take (nil takes everything) whether the page holds f, which
// would be its n-th file.
func offer(take Take, f *File, n int) (bool, error) {
	if take == nil {
		return true, nil
	}
	ok, err := take(f)
	if err == nil && !ok && n == 0 {
		err = ErrNothingTaken
	}
	return ok, err
}

// satisfiable is false for filters no record can match, which are answered
// without a read (and values too long to be index keys never reach one).
func (f Filter) satisfiable() bool {
	return f.DataSourceID == "" && CheckFilenameFilter(f.FileName) && CheckExternalFileID(f.ExternalFileID) == nil
}

// CheckFilenameFilter reports whether name could be a stored filename ("" = no filter).
func CheckFilenameFilter(name string) bool {
	return name == "" || CheckFilename(name, MaxDirectNameChars) == nil // the longest a name may be
}

func (f Filter) matches(x *File) bool {
	return (f.FileName == "" || x.Filename == f.FileName) &&
		(f.ExternalFileID == "" || x.ExternalFileID == f.ExternalFileID) &&
		(f.DataSourceID == "" || x.DataSourceID == f.DataSourceID)
}

// visible keeps the live COMPLETED files that match f, in order.
func (l *Listing) visible(found []*File, f Filter) []*File {
	now := l.Now()
	out := make([]*File, 0, len(found))
	for _, x := range found {
		if x.Status == StatusCompleted && !x.GoneAt(now) && f.matches(x) {
			out = append(out, x)
		}
	}
	return out
}

// listByIDs answers a file_ids filter: one batch read of the listed ids, so
// its cost grows with the list (≤ MaxFileIDs), not with the project. The
// cursor is the sort key of the last file returned.
func (l *Listing) listByIDs(ctx context.Context, q Query, take Take) (Page, error) {
	if q.After != "" && !validSortKey(q.Order, string(q.After)) {
		return Page{}, ErrInvalidCursor
	}
	ids := make([]FileID, 0, len(q.Filter.FileIDs))
	for _, id := range q.Filter.FileIDs {
		if id, ok := ParseFileID(id); ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	var found []*File
	if len(ids) > 0 {
		var err error
		if found, err = l.catalog.GetMany(ctx, q.ProjectID, ids); err != nil {
			return Page{}, err
		}
	}
	matches := l.visible(found, q.Filter)
	key := sortKey(q.Order)
	slices.SortFunc(matches, func(a, b *File) int { return compareIn(q.Order, key(a), key(b)) })
	start := 0
	if q.After != "" {
		start = len(matches)
		for i, f := range matches {
			if compareIn(q.Order, key(f), string(q.After)) > 0 {
				start = i
				break
			}
		}
	}
	end := min(start+q.Limit, len(matches))
	for i := start; i < end; i++ {
		ok, err := offer(take, matches[i], i-start)
		if err != nil {
			return Page{}, err
		}
		if !ok {
			end = i
			break
		}
	}
	page := Page{Files: matches[start:end], Total: len(matches)}
	if end < len(matches) {
		page.Next = Cursor(key(matches[end-1]))
	}
	return page, nil
}

// NameSortBytes bounds how much of a name orders a listing by name: the
// catalog's index keys hold 1,024 bytes and a name may take 12,000 (3,000
// characters of UTF-8), so names sharing their first NameSortBytes bytes
// sort by id among themselves. Page tokens carry the sort key, so this
// bounds them too (a token travels in a GET's query string, which API
// Gateway caps with the headers at 10,240 bytes).
const NameSortBytes = 900

// NameSortKey is the part of name that orders it: name, cut at a rune
// boundary at most NameSortBytes bytes in.
func NameSortKey(name string) string {
	if len(name) <= NameSortBytes {
		return name
	}
	cut := NameSortBytes
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}

// sortKey is what an order compares; names compare by their sort key
// (NameSortKey), then by id, as the catalog's index does.
func sortKey(o Order) func(*File) string {
	if o.ByName() {
		return func(f *File) string { return NameSortKey(f.Filename) + "\x00" + f.ID.String() }
	}
	return func(f *File) string { return f.ID.String() }
}

// validSortKey reports whether k could be a sort key of order o.
func validSortKey(o Order, k string) bool {
	if o.ByName() {
		name, id, ok := strings.Cut(k, "\x00")
		return ok && name != "" && len(name) <= NameSortBytes && utf8.ValidString(name) && ValidID(id)
	}
	return ValidID(k)
}

// compareIn compares two sort keys in o's direction.
func compareIn(o Order, a, b string) int {
	if o.Descending() {
		return strings.Compare(b, a)
	}
	return strings.Compare(a, b)
}
