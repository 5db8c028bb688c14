package uploadpage_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/uploadpage"
)

// fakeAPI stands in for Filegate's POST /v1/upload-tokens: it records the
// bodies it gets and answers with status and body.
type fakeAPI struct {
	mu     sync.Mutex
	bodies []map[string]any
	status int
	body   string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	_ = json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, in)
	w.WriteHeader(f.status)
	_, _ = io.WriteString(w, f.body)
}

func (f *fakeAPI) mints() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

// startHost serves a Host whose API is a fake; it returns the host, its
// fake API and its origin.
func startHost(t *testing.T) (*uploadpage.Host, *fakeAPI, string) {
	t.Helper()
	api := &fakeAPI{status: http.StatusOK, body: `{"token":"fgt_fresh"}`}
	apiSrv := httptest.NewServer(api)
	t.Cleanup(apiSrv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	host := &uploadpage.Host{Dir: "../../web/upload", API: filegate.Client{Base: apiSrv.URL, Key: "fgk_host"}, Origin: origin}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: host.Handler()}}
	srv.Start()
	t.Cleanup(srv.Close)
	return host, api, origin
}

// browser is a client with a cookie jar that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// tokenRequest is what the page sends: a same-origin JSON POST.
func tokenRequest(t *testing.T, origin, body string, edit func(*http.Request)) *http.Request {
	req, err := http.NewRequest(http.MethodPost, origin+"/upload/token", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if edit != nil {
		edit(req)
	}
	return req
}

func send(t *testing.T, c *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestTokenEndpointNeedsALogin: the host mints and renews tokens for its
// own logged-in user only. Without a session (none, forged, or a spent
// login link's) a token request is 401 and the API is never called; a
// one-time login link opens an HttpOnly, SameSite=Strict session.
func TestTokenEndpointNeedsALogin(t *testing.T) {
	host, api, origin := startHost(t)
	anon := browser(t)
	for name, cookie := range map[string]string{"no session": "", "a forged session": "filegate_page_session=guess"} {
		req := tokenRequest(t, origin, `{"renew":"fgt_old"}`, func(r *http.Request) {
			if cookie != "" {
				r.Header.Set("Cookie", cookie)
			}
		})
		if st, body := send(t, anon, req); st != http.StatusUnauthorized || !strings.Contains(body, "log in") {
			t.Errorf("%s: %d %s, want 401 asking to log in", name, st, body)
		}
	}
	if api.mints() != 0 {
		t.Fatalf("the API minted %d tokens for requests without a login", api.mints())
	}

	user := browser(t)
	link := host.LoginURL()
	resp, err := user.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "filegate_page_session" {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" || session.MaxAge <= 0 {
		t.Fatalf("login: %d, cookie %+v; want 303 to the page with an HttpOnly, SameSite=Strict session", resp.StatusCode, session)
	}
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, origin+"/upload/?tokenUrl=") || strings.Contains(loc, "token=fgt") {
		t.Errorf("login redirects to %q: want the page, which asks tokenUrl for its first token", loc)
	}
	if st, body := send(t, user, tokenRequest(t, origin, `{}`, nil)); st != http.StatusOK || !strings.Contains(body, "fgt_fresh") {
		t.Fatalf("a token for the logged-in user: %d %s", st, body)
	}
	if st, _ := send(t, user, tokenRequest(t, origin, `{"renew":"fgt_old"}`, nil)); st != http.StatusOK || api.mints() != 2 || api.bodies[1]["renew"] != "fgt_old" {
		t.Fatalf("a renewal for the logged-in user: %d, API got %v", st, api.bodies)
	}
	// A login link works once.
	again := browser(t)
	if resp, err := again.Get(link); err != nil || resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
		t.Errorf("the login link used a second time: %v %v; want 403 without a session", resp.StatusCode, err)
	}
	if resp, err := again.Get(origin + "/login?code=guess"); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a guessed login code: %v %v; want 403", resp.StatusCode, err)
	}
}

// TestTokenEndpointIsCSRFSafe: with a session, a token request still has
// to come from the host's own page. A page of another origin (another
// port of the same host is the same site, so SameSite=Strict alone lets
// the cookie through), a form post, a request without Origin and a page
// reaching the host under another name (DNS rebinding) are refused before
// the API is called.
func TestTokenEndpointIsCSRFSafe(t *testing.T) {
	host, api, origin := startHost(t)
	user := browser(t)
	if _, err := user.Get(host.LoginURL()); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(origin)
	sameSite := "http://" + u.Hostname() + ":1" // another port: same site, other origin
	for name, edit := range map[string]func(*http.Request){
		"another origin of the same site": func(r *http.Request) { r.Header.Set("Origin", sameSite); r.Header.Set("Sec-Fetch-Site", "same-site") },
		"another site": func(r *http.Request) {
			r.Header.Set("Origin", "https://evil.example")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
		},
		"no Origin":                 func(r *http.Request) { r.Header.Del("Origin") },
		"a form post":               func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") },
		"a text/plain post":         func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
		"Sec-Fetch-Site cross-site": func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") },
	} {
		if st, _ := send(t, user, tokenRequest(t, origin, `{}`, edit)); st != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, st)
		}
	}
	rebound := tokenRequest(t, origin, `{}`, nil)
	rebound.Host = "rebound.example:" + u.Port()
	if st, _ := send(t, user, rebound); st != http.StatusMisdirectedRequest {
		t.Errorf("another Host name: %d, want 421", st)
	}
	if api.mints() != 0 {
		t.Errorf("the API minted %d tokens for refused requests", api.mints())
	}
	if st, _ := send(t, user, tokenRequest(t, origin, `{}`, nil)); st != http.StatusOK {
		t.Errorf("the page's own request: %d; the refusals above prove nothing", st)
	}
}

// TestTokenEndpointPassesRefusals: a renewal the API refuses (expired too
// long ago, or its key revoked) is a 400 with the API's reason, not a
// gateway error.
func TestTokenEndpointPassesRefusals(t *testing.T) {
	host, api, origin := startHost(t)
	user := browser(t)
	if _, err := user.Get(host.LoginURL()); err != nil {
		t.Fatal(err)
	}
	api.status, api.body = http.StatusBadRequest, `{"error":{"type":"bad_request","code":"invalid_renew","message":"renew names an upload token whose API key is revoked: mint a new token"}}`
	if st, body := send(t, user, tokenRequest(t, origin, `{"renew":"fgt_old"}`, nil)); st != http.StatusBadRequest || !strings.Contains(body, "invalid_renew") {
		t.Errorf("a refused renewal: %d %s, want 400 with the API's reason", st, body)
	}
	api.status = http.StatusServiceUnavailable
	if st, _ := send(t, user, tokenRequest(t, origin, `{}`, nil)); st != http.StatusBadGateway {
		t.Errorf("the API unavailable: %d, want 502", st)
	}
}
