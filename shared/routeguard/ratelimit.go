package routeguard

import (
	"context"
	"math"
	"net/http"
	"strconv"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/ratelimit"
)

// Limit is the tenants' rate limiter (ratelimit.Limiter).
type Limit interface {
	Admit(ctx context.Context, orgID, projectID string, c ratelimit.Category) ratelimit.Decision
}

// Lightfield's rate-limit headers ("Rate limits" page), on every answer a
// function writes for a tenant.
const (
	HeaderLimit     = "X-RateLimit-Limit"
	HeaderRemaining = "X-RateLimit-Remaining"
	HeaderReset     = "X-RateLimit-Reset"
)

// admitRate takes the request from its tenant's bucket of category c and
// writes the bucket's headers, which every answer that follows carries
// (an idempotent replay's too); a refusal is the 429 to answer.
func admitRate(w http.ResponseWriter, r *http.Request, l Limit, p auth.Principal, c ratelimit.Category) error {
	if l == nil {
		return nil
	}
	org := p.OrganizationID
	if org == "" {
		org = p.ProjectID // every key names its organization; one that did not would be its own
	}
	d := l.Admit(r.Context(), org, p.ProjectID, c)
	if d.Limit > 0 {
		h := w.Header()
		h.Set(HeaderLimit, strconv.Itoa(d.Limit))
		h.Set(HeaderRemaining, strconv.Itoa(d.Remaining))
		h.Set(HeaderReset, strconv.FormatInt(int64(math.Ceil(float64(d.Reset.UnixMilli())/1000)), 10))
	}
	if d.Allowed {
		return nil
	}
	// No code: Lightfield's 429 carries none.
	e := files.Errorf(files.KindTooManyRequests, "", "Rate limit exceeded: at most %d %s requests per second. Please try again later.", d.Limit, c)
	e.Transient, e.RetryAfter = true, d.RetryAfter
	return e
}

// methodCategory is the category of a request no route took (the $default
// function's 404s and 405s): reads for the safe methods, writes otherwise.
func methodCategory(method string) ratelimit.Category {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return ratelimit.Read
	}
	return ratelimit.Write
}
