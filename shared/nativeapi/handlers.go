package nativeapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
	"github.com/filegate/filegate/shared/jsonwire"
)

type createRequest struct {
	Filename  string `json:"filename"`
	MimeType  string `json:"mimeType"`
	SizeBytes int64  `json:"sizeBytes"`
	Purpose   string `json:"purpose"`
	// RetentionExpiresAt (Filegate extension) ends the file's retention; named
	// apart from expiresAt, which is the upload session's end.
	RetentionExpiresAt *time.Time `json:"retentionExpiresAt"`
}

func (a *API) create(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var req createRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	c, err := a.files.Create(r.Context(), files.CreateInput{
		OrganizationID: p.OrganizationID, ProjectID: p.ProjectID,
		Filename: req.Filename, MimeType: req.MimeType, SizeBytes: req.SizeBytes, Purpose: req.Purpose,
		RetainUntil: req.RetentionExpiresAt, Operation: idempotency.OperationOf(r.Context()),
	})
	if err != nil {
		return err
	}
	headers := make(map[string]string, len(c.Upload.Headers))
	for k := range c.Upload.Headers {
		headers[k] = c.Upload.Headers.Get(k)
	}
	jsonwire.Write(w, http.StatusOK, createdJSON{fileJSON: toJSON(c.File, a.files.Now()), UploadURL: c.Upload.URL, UploadHeaders: headers})
	return nil
}

type completeRequest struct {
	MD5 string `json:"md5"`
}

func (a *API) complete(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var req completeRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	f, err := a.files.Complete(r.Context(), p.ProjectID, r.PathValue("id"), req.MD5)
	if err != nil {
		return err
	}
	return a.writeFile(w, f)
}

func (a *API) get(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, err := a.files.Get(r.Context(), p.ProjectID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeFile(w, f)
}

func (a *API) cancel(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var req struct{}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	f, err := a.files.Cancel(r.Context(), p.ProjectID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeFile(w, f)
}

func (a *API) delete(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := a.files.Delete(r.Context(), p.ProjectID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) url(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	u, err := a.files.DownloadURL(r.Context(), p.ProjectID, r.PathValue("id"))
	if err != nil {
		return err
	}
	jsonwire.Write(w, http.StatusOK, urlJSON{URL: u.URL, ExpiresAt: jsonwire.Timestamp(u.ExpiresAt)})
	return nil
}

func (a *API) list(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	limit, offset, err := pageParams(r)
	if err != nil {
		return err
	}
	page, total, err := a.files.List(r.Context(), p.ProjectID, limit, offset)
	if err != nil {
		return err
	}
	now := a.files.Now()
	out := listJSON{Object: "list", Data: make([]fileJSON, 0, len(page)), TotalCount: total}
	for _, f := range page {
		out.Data = append(out.Data, toJSON(f, now))
	}
	jsonwire.Write(w, http.StatusOK, out)
	return nil
}

func (a *API) writeFile(w http.ResponseWriter, f *files.File) error {
	jsonwire.Write(w, http.StatusOK, toJSON(f, a.files.Now()))
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
