package compatapi

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
	"github.com/filegate/filegate/shared/jsonwire"
	"github.com/filegate/filegate/shared/ratelimit"
	"github.com/filegate/filegate/shared/routeguard"
)

// maxUploadBody is the largest multipart body read: the most a synchronous
// Lambda invocation can carry base64-encoded. Bigger bodies are refused
// before they are read (API Gateway refuses them before Lambda on AWS).
const maxUploadBody = files.LambdaSyncPayloadBytes / 4 * 3

// uploading is what Upload calls: files/upload's Direct, named by what it
// does so that this package does not import the MIME sniffer's.
type uploading interface {
	Upload(ctx context.Context, in files.DirectUpload) (*files.File, error)
}

var routeUpload = declare("POST /api/v1/beta/files")

// Upload is POST /api/v1/beta/files: a multipart upload whose bytes pass
// through Lambda, validated and COMPLETED at once.
func Upload(direct uploading, once routeguard.Once) routeguard.Route {
	return route(routeUpload, auth.ScopeCreate, ratelimit.Write, once, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		if r.ContentLength > maxUploadBody {
			return files.ErrDirectTooLarge
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxUploadBody+1))
		if err != nil {
			return files.Errorf(files.KindInvalid, "invalid_body", "could not read the request body")
		}
		if int64(len(raw)) > maxUploadBody {
			return files.ErrDirectTooLarge
		}
		form, err := decodeUpload(r.Header.Get("Content-Type"), raw)
		if err != nil {
			return err
		}
		if err := checkPurpose(form.purpose); err != nil {
			return err
		}
		f, err := direct.Upload(r.Context(), files.DirectUpload{
			OrganizationID: p.OrganizationID, ProjectID: p.ProjectID,
			Filename: form.filename, ContentType: form.contentType, Purpose: form.purpose,
			ExternalFileID: form.externalFileID, Body: form.body, Operation: idempotency.OperationOf(r.Context()),
		})
		if err != nil {
			return err
		}
		switch f.Status {
		case files.StatusRejected:
			return files.RejectionError(f.Rejection) // the outcome's 422
		case files.StatusScanning:
			// Stored and valid, but its malware scan's verdict did not come
			// within the wait: listed once clean (a Filegate extension).
			jsonwire.Write(w, http.StatusAccepted, toJSON(f))
			return nil
		}
		jsonwire.Write(w, http.StatusOK, toJSON(f))
		return nil
	})
}

var routeList = declare("GET /api/v1/beta/files")

// List is GET /api/v1/beta/files; downloads signs expand=download_url.
func List(listing *files.Listing, downloads *files.Downloads) routeguard.Route {
	return route(routeList, auth.ScopeRead, ratelimit.Search, nil, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		params, err := decodeListQuery(r.URL.Query())
		if err != nil {
			return err
		}
		return writePage(w, r, listing, downloads, p, params)
	})
}

var routeQuery = declare("POST /api/v1/beta/files/query")

// Query is POST /api/v1/beta/files/query, the deprecated listing: a
// read-only POST, so Idempotency-Key does not apply.
func Query(listing *files.Listing, downloads *files.Downloads) routeguard.Route {
	return route(routeQuery, auth.ScopeRead, ratelimit.Search, nil, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		params, err := decodeQueryBody(r.Body)
		if err != nil {
			return err
		}
		if err := checkTenant(p, "", params.projectID); err != nil {
			return err
		}
		return writePage(w, r, listing, downloads, p, params)
	})
}

// writePage answers both listing routes: the page, its total and the token
// of the next page, bound to this project and query. The page ends early
// when its response would pass Lambda's limit (see pageBudget).
func writePage(w http.ResponseWriter, r *http.Request, listing *files.Listing, downloads *files.Downloads, p auth.Principal, params listParams) error {
	fp := fingerprint(params.order, params.filter)
	q := files.Query{ProjectID: p.ProjectID, Filter: params.filter, Order: params.order, Limit: params.pageSize}
	if params.pageToken != "" {
		var err error
		if q.After, err = decodeToken(params.pageToken, p.ProjectID, fp); err != nil {
			return err
		}
	}
	var items pageItems
	page, err := listing.ListCompletedWhile(r.Context(), q, func(f *files.File) (bool, error) {
		j := toJSON(f)
		if params.expandURL {
			u, err := downloads.ContentURL(r.Context(), f, nil)
			if err != nil {
				return false, err
			}
			j.DownloadURL = toPresigned(u)
		}
		return items.add(j)
	})
	if err != nil {
		return err
	}
	out := pageJSON{Items: items.items, TotalSize: page.Total}
	if out.Items == nil {
		out.Items = []json.RawMessage{}
	}
	if page.Next != "" {
		t := encodeToken(p.ProjectID, fp, page.Next)
		out.NextPageToken = &t
	}
	jsonwire.Write(w, http.StatusOK, out)
	return nil
}

var routeGet = declare("GET /api/v1/beta/files/{id}")

// Get is GET /api/v1/beta/files/{id}; downloads signs expand=download_url.
func Get(records *files.Records, downloads *files.Downloads) routeguard.Route {
	return route(routeGet, auth.ScopeRead, ratelimit.Read, nil, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		withURL, err := expand(r.URL.Query())
		if err != nil {
			return err
		}
		f, err := records.GetCompleted(r.Context(), p.ProjectID, routeguard.PathFile(r))
		if err != nil {
			return err
		}
		j := toJSON(f)
		if withURL {
			u, err := downloads.ContentURL(r.Context(), f, nil)
			if err != nil {
				return err
			}
			j.DownloadURL = toPresigned(u)
		}
		jsonwire.Write(w, http.StatusOK, j)
		return nil
	})
}

var routeDelete = declare("DELETE /api/v1/beta/files/{id}")

// Delete is DELETE /api/v1/beta/files/{id}.
func Delete(deletion *files.Deletion) routeguard.Route {
	return route(routeDelete, auth.ScopeCreate, ratelimit.Write, nil, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		if err := deletion.DeleteCompleted(r.Context(), p.ProjectID, routeguard.PathFile(r)); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

var routeContent = declare("GET /api/v1/beta/files/{id}/content")

// Content is GET /api/v1/beta/files/{id}/content: a presigned download.
func Content(records *files.Records, downloads *files.Downloads) routeguard.Route {
	return route(routeContent, auth.ScopeRead, ratelimit.Read, nil, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		ttl, err := askedLifetime(r.URL.Query().Get("expires_at_seconds"))
		if err != nil {
			return err
		}
		f, err := records.GetCompleted(r.Context(), p.ProjectID, routeguard.PathFile(r))
		if err != nil {
			return err
		}
		u, err := downloads.ContentURL(r.Context(), f, ttl)
		if err != nil {
			return err
		}
		jsonwire.Write(w, http.StatusOK, toPresigned(u))
		return nil
	})
}

// route is a compat route needing scope, in a rate-limit category; once
// (routes that write by POST) makes it safe to retry.
func route(pattern, scope string, category ratelimit.Category, once routeguard.Once, h routeguard.Handler) routeguard.Route {
	return routeguard.Route{Pattern: pattern, Scope: scope, Dialect: Dialect, Handle: h, Once: once, Category: category}
}

// askedLifetime reads expires_at_seconds, the URL's lifetime in seconds: ""
// asks for the configured default (nil); fractions are dropped, and the
// service bounds what is asked (files.MinURLTTL to files.MaxURLTTL). No
// number is FastAPI's 422, NaN a 400.
func askedLifetime(v string) (*time.Duration, error) {
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return nil, invalidFields{fieldErr("float_parsing", v, "query", "expires_at_seconds")}
	}
	if n != n { // NaN
		return nil, files.Errorf(files.KindInvalid, "invalid_expires_at_seconds", "expires_at_seconds must be a number of seconds")
	}
	d := time.Duration(math.MaxInt64) // any lifetime past it is capped anyway
	if n < float64(math.MaxInt64/int64(time.Second)) {
		d = time.Duration(max(n, 0)) * time.Second
	}
	return &d, nil
}
