package apigw

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// corsPolicy is the template's API CORS (samtemplate.APICORS) as the gateway
// applies it.
type corsPolicy samtemplate.APICORS

// The HTTP API's CORS configuration as API Gateway applies it: it answers
// preflights itself, before any integration, and sets its own CORS headers
// on every response, dropping those an integration returns. A preflight that
// matches a route behind the authorizer meets the authorizer first, and
// browsers send no key with it: that is why an authorized $default route
// needs the unauthenticated OPTIONS /{proxy+} route next to it.

// answerPreflight answers r if it is a preflight the configuration handles;
// authorized says whether the route it matches has the authorizer.
func (c *corsPolicy) answerPreflight(w http.ResponseWriter, r *http.Request, authorized bool) bool {
	origin := r.Header.Get("Origin")
	if c == nil || authorized || r.Method != http.MethodOptions || origin == "" || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	if allow, ok := c.allowOrigin(origin); ok {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", allow)
		h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
		if c.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
		}
		if c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	// An origin the configuration does not list gets no grant: the browser
	// then refuses the real request.
	w.WriteHeader(http.StatusNoContent)
	return true
}

// allowOrigin is the Access-Control-Allow-Origin value for origin, if allowed.
func (c *corsPolicy) allowOrigin(origin string) (string, bool) {
	switch {
	case slices.Contains(c.AllowOrigins, "*"):
		return "*", true
	case slices.Contains(c.AllowOrigins, origin):
		return origin, true
	}
	return "", false
}

// writer wraps w so that the response carries the configuration's CORS
// headers for r's origin, and none of the integration's.
func (c *corsPolicy) writer(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	origin := r.Header.Get("Origin")
	if c == nil || origin == "" {
		return w
	}
	return &corsWriter{ResponseWriter: w, cors: c, origin: origin}
}

type corsWriter struct {
	http.ResponseWriter
	cors    *corsPolicy
	origin  string
	written bool
}

func (cw *corsWriter) WriteHeader(status int) {
	if !cw.written {
		cw.written = true
		h := cw.Header()
		for k := range h {
			if strings.HasPrefix(k, "Access-Control-") {
				h.Del(k)
			}
		}
		if allow, ok := cw.cors.allowOrigin(cw.origin); ok {
			h.Set("Access-Control-Allow-Origin", allow)
			if len(cw.cors.ExposeHeaders) > 0 {
				h.Set("Access-Control-Expose-Headers", strings.Join(cw.cors.ExposeHeaders, ","))
			}
			if cw.cors.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
		}
	}
	cw.ResponseWriter.WriteHeader(status)
}

func (cw *corsWriter) Write(b []byte) (int, error) {
	if !cw.written {
		cw.WriteHeader(http.StatusOK)
	}
	return cw.ResponseWriter.Write(b)
}
