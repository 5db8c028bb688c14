package compatapi

import "net/http"

// Prefix is the path under which every request is this dialect's.
const Prefix = "/api/v1/beta/"

// Unmatched answers, in this dialect's envelope (FastAPI's {"detail": "Not
// Found"} and {"detail": "Method Not Allowed"}), the requests under
// /api/v1/beta/ that no route took (routes: every route of both dialects).
func (a *API) Unmatched(routes []string) http.Handler { return a.guard.Unmatched(routes) }
