package nativeapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/jsonwire"
	"github.com/filegate/filegate/shared/routeguard"
	"github.com/filegate/filegate/shared/uploadtoken"
)

// The multipart extension (docs/api.md "Large files"): create with "multipart",
// then part URLs in batches, the parts storage holds, and complete.

type multipartRequest struct {
	PartSizeBytes int64 `json:"partSizeBytes"`
	// PartChecksum "SHA256" makes every part URL sign its part's SHA-256.
	PartChecksum string `json:"partChecksum"`
}

// plan is the session the request asks for (nil: one PUT).
func (m *multipartRequest) plan() (*files.MultipartPlan, error) {
	if m == nil {
		return nil, nil
	}
	switch strings.ToUpper(m.PartChecksum) {
	case "":
		return &files.MultipartPlan{PartSizeBytes: m.PartSizeBytes}, nil
	case "SHA256":
		return &files.MultipartPlan{PartSizeBytes: m.PartSizeBytes, PartSHA256: true}, nil
	}
	return nil, files.Errorf(files.KindInvalid, "invalid_part_checksum", `multipart.partChecksum must be "SHA256" or absent`).WithParam("multipart.partChecksum")
}

func ptr[T any](v T) *T { return &v }

// parting is what the multipart routes call: files/upload's Sessions.
type parting interface {
	PartURLs(ctx context.Context, projectID string, id files.FileID, parts []files.PartRequest) (*files.File, []files.PartURL, error)
	Parts(ctx context.Context, projectID string, id files.FileID) (*files.File, []files.StoredPart, error)
	UploadURL(ctx context.Context, projectID string, id files.FileID) (*files.Created, error)
	Now() time.Time
}

type signPartsRequest struct {
	Parts []struct {
		PartNumber int    `json:"partNumber"`
		SHA256     string `json:"sha256"`
	} `json:"parts"`
}

type partURLJSON struct {
	PartNumber int                `json:"partNumber"`
	URL        string             `json:"url"`
	Headers    map[string]string  `json:"headers"`
	ExpiresAt  jsonwire.Timestamp `json:"expiresAt"`
}

type partsJSON struct {
	Object string `json:"object"`
	FileID string `json:"fileId"`
	Data   any    `json:"data"`
}

var routeSignParts = declare("POST /v1/files/{id}/parts")

// SignParts is POST /v1/files/{id}/parts: presigned URLs for up to 100
// parts. It writes nothing, so it takes no Idempotency-Key: a repeat signs
// fresh URLs, which is what a retry wants. An upload token (tokens) signs
// the parts of the files it created: a browser uploads in parts with it.
func SignParts(sessions parting, tokens uploadtoken.Ledger) routeguard.Route {
	return forTokens(tokens, write(routeSignParts, nil, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var req signPartsRequest
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		in := make([]files.PartRequest, len(req.Parts))
		for i, part := range req.Parts {
			in[i] = files.PartRequest{Number: part.PartNumber, SHA256: part.SHA256}
		}
		f, urls, err := sessions.PartURLs(r.Context(), p.ProjectID, routeguard.PathFile(r), in)
		if err != nil {
			return err
		}
		out := make([]partURLJSON, len(urls))
		for i, u := range urls {
			out[i] = partURLJSON{PartNumber: u.Number, URL: u.URL, Headers: headerMap(u.Headers), ExpiresAt: jsonwire.Timestamp(u.ExpiresAt)}
		}
		jsonwire.Write(w, http.StatusOK, partsJSON{Object: "list", FileID: f.ID.String(), Data: out})
		return nil
	}))
}

type storedPartJSON struct {
	PartNumber int    `json:"partNumber"`
	SizeBytes  int64  `json:"sizeBytes"`
	ETag       string `json:"etag"`
	SHA256     string `json:"sha256,omitempty"` // base64, as storage keeps it
}

var routeListParts = declare("GET /v1/files/{id}/parts")

// ListParts is GET /v1/files/{id}/parts: the parts storage holds, so a
// client resuming after a crash sends only the others; a token (tokens)
// lists those of the files it created.
func ListParts(sessions parting, tokens uploadtoken.Ledger) routeguard.Route {
	return forTokens(tokens, read(routeListParts, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		f, parts, err := sessions.Parts(r.Context(), p.ProjectID, routeguard.PathFile(r))
		if err != nil {
			return err
		}
		out := make([]storedPartJSON, len(parts))
		for i, part := range parts {
			out[i] = storedPartJSON{PartNumber: part.Number, SizeBytes: part.SizeBytes, ETag: part.ETag, SHA256: part.SHA256}
		}
		jsonwire.Write(w, http.StatusOK, partsJSON{Object: "list", FileID: f.ID.String(), Data: out})
		return nil
	}))
}

var routeUploadURL = declare("POST /v1/files/{id}/upload-url")

// UploadURL is POST /v1/files/{id}/upload-url: a fresh PUT URL for a
// single-PUT session whose URL expired (the session lives on), for the
// files a token (tokens) created too. Like SignParts it writes nothing and
// takes no Idempotency-Key.
func UploadURL(sessions parting, tokens uploadtoken.Ledger) routeguard.Route {
	return forTokens(tokens, write(routeUploadURL, nil, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var req struct{}
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		c, err := sessions.UploadURL(r.Context(), p.ProjectID, routeguard.PathFile(r))
		if err != nil {
			return err
		}
		jsonwire.Write(w, http.StatusOK, toCreated(c, sessions.Now()))
		return nil
	}))
}
