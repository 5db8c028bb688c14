package uploadpage

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// SessionLifetime is how long a login lasts (the session cookie's Max-Age).
const SessionLifetime = 12 * time.Hour

// sessionCookie names the host's session. A production host on HTTPS
// would name it __Host-… and mark it Secure (LoginURL's host is plain
// HTTP on 127.0.0.1, where browsers refuse both).
const sessionCookie = "filegate_page_session"

// logins is the host's own authentication, as small as a dev login can be:
// one-time login links (a random code, good for one login) and the
// sessions they open. Only SHA-256 hashes of codes and session ids are
// kept, so a lookup's timing tells nothing about a secret.
type logins struct {
	mu       sync.Mutex
	codes    map[[32]byte]bool      // unused login codes
	sessions map[[32]byte]time.Time // session → its end
}

func secret() (string, [32]byte) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	s := base64.RawURLEncoding.EncodeToString(b[:])
	return s, sha256.Sum256([]byte(s))
}

func (l *logins) newCode() string {
	code, h := secret()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.codes == nil {
		l.codes = map[[32]byte]bool{}
	}
	l.codes[h] = true
	return code
}

// redeem spends code and opens a session; ok is false for a code that is
// unknown or already used.
func (l *logins) redeem(code string, now time.Time) (session string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := sha256.Sum256([]byte(code))
	if !l.codes[h] {
		return "", false
	}
	delete(l.codes, h)
	if l.sessions == nil {
		l.sessions = map[[32]byte]time.Time{}
	}
	for k, end := range l.sessions {
		if !now.Before(end) {
			delete(l.sessions, k)
		}
	}
	session, sh := secret()
	l.sessions[sh] = now.Add(SessionLifetime)
	return session, true
}

func (l *logins) valid(session string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	end, ok := l.sessions[sha256.Sum256([]byte(session))]
	return ok && now.Before(end)
}

// LoginURL is a fresh one-time login link: opening it logs the browser in
// (an HttpOnly, SameSite=Strict session cookie) and shows the page.
func (h *Host) LoginURL() string {
	return h.Origin + "/login?code=" + h.logins.newCode()
}

func (h *Host) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	session, ok := h.logins.redeem(r.URL.Query().Get("code"), time.Now())
	if !ok {
		http.Error(w, "This login link is unknown or already used: each works once. Ask for a new one (`make dev` writes a fresh link to .local/page-login-url after each login).", http.StatusForbidden)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: session, Path: "/", MaxAge: int(SessionLifetime / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	if h.OnLogin != nil {
		h.OnLogin()
	}
	http.Redirect(w, r, PageURL(h.Origin, h.API.Base, "", true), http.StatusSeeOther)
}

// authorize decides a token request: it must come from the host's own
// page (CSRF: a same-origin Origin, a JSON body, which no form and no
// cross-origin request without a preflight can send) and carry a live
// session. It answers the refusal itself and reports whether it did not.
func (h *Host) authorize(w http.ResponseWriter, r *http.Request) bool {
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	site := r.Header.Get("Sec-Fetch-Site")
	if h.Origin == "" || r.Header.Get("Origin") != h.Origin || media != "application/json" || (site != "" && site != "same-origin") {
		writeError(w, http.StatusForbidden, "token requests must come from this host's own page (same origin, JSON)")
		return false
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || !h.logins.valid(c.Value, time.Now()) {
		writeError(w, http.StatusUnauthorized, "log in first: open a login link of this host")
		return false
	}
	return true
}

// sameHost refuses requests naming another host than the one the host
// serves (a DNS-rebinding page reaching 127.0.0.1 under its own name).
func (h *Host) sameHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, err := url.Parse(h.Origin); err != nil || r.Host != u.Host {
			http.Error(w, "misdirected request: this host serves "+h.Origin, http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}
