package nativeapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
	"github.com/filegate/filegate/shared/jsonwire"
	"github.com/filegate/filegate/shared/ratelimit"
	"github.com/filegate/filegate/shared/routeguard"
	"github.com/filegate/filegate/shared/uploadtoken"
)

// creating is what Create calls: files/upload's Sessions, named by what it
// does so that this package does not import the MIME sniffer's.
type creating interface {
	Create(ctx context.Context, in files.CreateInput) (*files.Created, error)
	Now() time.Time
}

var routeCreate = declare("POST /v1/files")

// Create is POST /v1/files: a new upload session and its presigned PUT. A
// keyed repeat runs again as a lookup of the file its key names, so it
// answers with a freshly signed URL (routeguard.Route.Rerun).
//
// An upload token (tokens) may create within its grant: its MIME types,
// purpose and budget of files and bytes, which its ledger charges once the
// file's id is known and before it is recorded.
func Create(sessions creating, once routeguard.Once, tokens uploadtoken.Ledger) routeguard.Route {
	rt := write(routeCreate, once, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var req createRequest
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		if err := required(given{"filename", req.Filename != nil}, given{"mimeType", req.MimeType != nil}, given{"sizeBytes", req.SizeBytes != nil}); err != nil {
			return err
		}
		plan, err := req.Multipart.plan()
		if err != nil {
			return err
		}
		in := req.input(p, plan)
		in.Operation = idempotency.OperationOf(r.Context())
		if t := p.Token; t != nil {
			if err := uploadtoken.CheckDeclaration(t, &in); err != nil {
				return err
			}
			in.Admit = func(ctx context.Context, f *files.File) error { return tokens.Charge(ctx, t, f.ID, f.SizeBytes) }
		}
		if err := checkPurpose(in.Purpose); err != nil { // after a token's purpose filled it in
			return err
		}
		c, err := sessions.Create(r.Context(), in)
		if err != nil {
			return err
		}
		jsonwire.Write(w, http.StatusOK, toCreated(c, sessions.Now()))
		return nil
	})
	rt.Rerun, rt.Tokens = true, tokens
	return rt
}

type completeRequest struct {
	MD5 string `json:"md5"`
	// SHA256 (Filegate extension) is a multipart file's whole-file SHA-256.
	SHA256 string `json:"sha256"`
}

// completing is what Complete calls: files/upload's Settlement.
type completing interface {
	Complete(ctx context.Context, projectID string, id files.FileID, md5, sha256 string) (*files.File, error)
	Now() time.Time
}

var routeComplete = declare("POST /v1/files/{id}/complete")

// Complete is POST /v1/files/{id}/complete: validate the uploaded bytes. A
// multipart file storage is still assembling, or one whose bytes passed
// validation and wait for their malware scan, is a 202 with the file
// PENDING: the S3 event or the verdict settles it, and the client polls GET.
func Complete(settlement completing, once routeguard.Once, tokens uploadtoken.Ledger) routeguard.Route {
	return forTokens(tokens, write(routeComplete, once, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var req completeRequest
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		f, err := settlement.Complete(r.Context(), p.ProjectID, routeguard.PathFile(r), req.MD5, req.SHA256)
		switch {
		case err == nil && f.Status == files.StatusRejected:
			return files.RejectionError(f.Rejection) // the outcome's 422
		case err == nil && (f.Status == files.StatusPending || f.Status == files.StatusScanning):
			jsonwire.Write(w, http.StatusAccepted, toJSON(f, settlement.Now()))
			return nil
		}
		return writeFile(w, f, settlement.Now(), err)
	}))
}

var routeGet = declare("GET /v1/files/{id}")

// Get is GET /v1/files/{id}.
func Get(records *files.Records, tokens uploadtoken.Ledger) routeguard.Route {
	return forTokens(tokens, read(routeGet, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		f, err := records.Get(r.Context(), p.ProjectID, routeguard.PathFile(r))
		return writeFile(w, f, records.Now(), err)
	}))
}

var routeCancel = declare("POST /v1/files/{id}/cancel")

// Cancel is POST /v1/files/{id}/cancel: end a PENDING session.
func Cancel(cancellation *files.Cancellation, once routeguard.Once, tokens uploadtoken.Ledger) routeguard.Route {
	return forTokens(tokens, write(routeCancel, once, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var req struct{}
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		f, err := cancellation.Cancel(r.Context(), p.ProjectID, routeguard.PathFile(r))
		return writeFile(w, f, cancellation.Now(), err)
	}))
}

// forTokens lets upload tokens call rt on the files they created (nil
// tokens: API keys only).
func forTokens(tokens uploadtoken.Ledger, rt routeguard.Route) routeguard.Route {
	rt.Tokens = tokens
	return rt
}

var routeDelete = declare("DELETE /v1/files/{id}")

// Delete is DELETE /v1/files/{id} (a Filegate extension).
func Delete(deletion *files.Deletion) routeguard.Route {
	return write(routeDelete, nil, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		if err := deletion.Delete(r.Context(), p.ProjectID, routeguard.PathFile(r)); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

var routeURL = declare("GET /v1/files/{id}/url")

// URL is GET /v1/files/{id}/url: a presigned download of a COMPLETED file.
func URL(downloads *files.Downloads) routeguard.Route {
	return read(routeURL, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		u, err := downloads.DownloadURL(r.Context(), p.ProjectID, routeguard.PathFile(r))
		if err != nil {
			return err
		}
		jsonwire.Write(w, http.StatusOK, urlJSON{URL: u.URL, ExpiresAt: jsonwire.Timestamp(u.ExpiresAt)})
		return nil
	})
}

var routeList = declare("GET /v1/files")

// List is GET /v1/files: one newest-first page and the project's total.
func List(records *files.Records) routeguard.Route {
	return search(routeList, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		limit, offset, err := pageParams(r)
		if err != nil {
			return err
		}
		page, total, err := records.List(r.Context(), p.ProjectID, limit, offset)
		if err != nil {
			return err
		}
		now := records.Now()
		out := listJSON{Object: "list", Data: make([]fileJSON, 0, len(page)), TotalCount: total}
		for _, f := range page {
			out.Data = append(out.Data, toJSON(f, now))
		}
		jsonwire.Write(w, http.StatusOK, out)
		return nil
	})
}

// read is a route that needs files:read, in the Read rate-limit category.
func read(pattern string, h routeguard.Handler) routeguard.Route {
	return routeguard.Route{Pattern: pattern, Scope: auth.ScopeRead, Dialect: Dialect, Handle: h, Category: ratelimit.Read}
}

// search is a listing: files:read, in the Search category.
func search(pattern string, h routeguard.Handler) routeguard.Route {
	rt := read(pattern, h)
	rt.Category = ratelimit.Search
	return rt
}

// write is a route that needs files:create, in the Write category; once
// (nil for DELETE, which Idempotency-Key does not cover) makes its POSTs
// safe to retry.
func write(pattern string, once routeguard.Once, h routeguard.Handler) routeguard.Route {
	return routeguard.Route{Pattern: pattern, Scope: auth.ScopeCreate, Dialect: Dialect, Handle: h, Once: once, Category: ratelimit.Write}
}

// writeFile answers with f, or err.
func writeFile(w http.ResponseWriter, f *files.File, now time.Time, err error) error {
	if err != nil {
		return err
	}
	jsonwire.Write(w, http.StatusOK, toJSON(f, now))
	return nil
}

// pageParams reads limit (1–25, default 25) and offset (≥ 0, default 0).
func pageParams(r *http.Request) (limit, offset int, err error) {
	q := r.URL.Query()
	limit, offset = 25, 0
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 25 {
			return 0, 0, files.Errorf(files.KindInvalid, "invalid_limit", "limit must be an integer from 1 to 25").WithParam("limit")
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 || offset > 1_000_000 {
			return 0, 0, files.Errorf(files.KindInvalid, "invalid_offset", "offset must be an integer from 0 to 1000000").WithParam("offset")
		}
	}
	return limit, offset, nil
}
