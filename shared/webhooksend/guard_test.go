package webhooksend

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/files"
)

// fakeDNS is the injected resolver: names to addresses, and the names asked.
type fakeDNS struct {
	names map[string][]string
	asked atomic.Int64
}

func (f *fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.asked.Add(1)
	var out []netip.Addr
	for _, a := range f.names[host] {
		out = append(out, netip.MustParseAddr(a))
	}
	if len(out) == 0 {
		return nil, errors.New("no such host")
	}
	return out, nil
}

// Every address but public unicast ones is refused: the cloud metadata
// address and the rest of link-local, loopback, private (RFC 1918), CGNAT,
// IPv6 unique-local and link-local, and every IPv6 form that embeds an
// IPv4 address. make dev's setting lets loopback through, nothing else.
func TestCheckAddr(t *testing.T) {
	refused := []string{
		"169.254.169.254", "169.254.0.1", "127.0.0.1", "127.1.2.3", "::1", "10.0.0.1", "172.16.5.4", "172.31.255.255",
		"192.168.1.1", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255", "240.0.0.1",
		"192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.9", "192.0.0.170",
		"fd00:ec2::254", "fc00::1", "fe80::1", "fec0::1", "ff02::1", "::",
		"::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:127.0.0.1", "::ffff:8.8.8.8",
		"64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "2001:0:4136:e378::1", "2001:db8::1",
	}
	allowed := []string{"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "2a00:1450:4001::200e"}
	g := &Guard{}
	for _, a := range refused {
		if err := g.CheckAddr(netip.MustParseAddr(a)); err == nil {
			t.Errorf("%s is allowed", a)
		}
	}
	for _, a := range allowed {
		if err := g.CheckAddr(netip.MustParseAddr(a)); err != nil {
			t.Errorf("%s is refused: %v", a, err)
		}
	}
	dev := &Guard{AllowLoopback: true}
	for a, ok := range map[string]bool{"127.0.0.1": true, "::1": true, "::ffff:127.0.0.1": false, "10.0.0.1": false, "169.254.169.254": false} {
		if err := dev.CheckAddr(netip.MustParseAddr(a)); (err == nil) != ok {
			t.Errorf("with loopback allowed, %s: %v, want allowed=%v", a, err, ok)
		}
	}
}

// At registration: https only, no credentials, and a host that is, or
// whose every DNS answer is, a public address.
func TestCheckURL(t *testing.T) {
	dns := &fakeDNS{names: map[string][]string{
		"hooks.example.com":    {"93.184.216.34"},
		"metadata.example.com": {"169.254.169.254"},
		"private.example.com":  {"10.0.0.7"},
		"mixed.example.com":    {"93.184.216.34", "192.168.0.10"},
		"ula.example.com":      {"fd12:3456::1"},
		"mapped.example.com":   {"::ffff:10.0.0.1"},
		"localhost":            {"127.0.0.1", "::1"},
	}}
	g := &Guard{Resolver: dns}
	for raw, ok := range map[string]bool{
		"https://hooks.example.com/filegate":          true,
		"https://hooks.example.com:8443/x?y=1":        true,
		"https://93.184.216.34/hook":                  true,
		"http://hooks.example.com/filegate":           false, // https only
		"https://metadata.example.com/latest":         false,
		"https://169.254.169.254/latest/meta-data/":   false,
		"https://[fd00:ec2::254]/latest":              false,
		"https://private.example.com/":                false,
		"https://mixed.example.com/":                  false, // one private answer is enough
		"https://ula.example.com/":                    false,
		"https://mapped.example.com/":                 false,
		"https://[::ffff:a00:1]/":                     false,
		"https://localhost/":                          false,
		"https://127.0.0.1/":                          false,
		"https://nowhere.example.com/":                false, // does not resolve
		"https://user:secret@hooks.example.com/":      false,
		"ftp://hooks.example.com/":                    false,
		"hooks.example.com/filegate":                  false,
		"https://hooks.example.com/#frag":             false,
		"https://hooks.example.com:99999/":            true,  // a port is the dialer's business
		"https://0x7f000001/":                         false, // not an IP literal to Go: a name that does not resolve
		"https://hooks.example.com@169.254.169.254/x": false,
	} {
		err := g.CheckURL(context.Background(), raw)
		if (err == nil) != ok {
			t.Errorf("%s: %v, want ok=%v", raw, err, ok)
		}
		if err != nil && (files.KindOf(err) != files.KindInvalid || !strings.Contains(err.Error(), "url")) {
			t.Errorf("%s: %v, want a 400 naming the url", raw, err)
		}
	}
}

// At connect time, after DNS: a name that resolved to a public address
// when it was registered and now resolves to a private one (DNS
// rebinding), or to the metadata address, is refused by the dialer's
// Control hook; no connection is made.
func TestConnectTimeCheckAfterDNS(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	dns := &fakeDNS{names: map[string][]string{"rebound.example.com": {"127.0.0.1"}, "meta.example.com": {"169.254.169.254"}, "private.example.com": {"10.0.0.1"}}}
	p := NewPoster(&Guard{Resolver: dns}, 2*time.Second)
	for _, host := range []string{"rebound.example.com", "meta.example.com", "private.example.com", "127.0.0.1", "[::ffff:127.0.0.1]"} {
		a := p.Post(context.Background(), "http://"+host+":"+port+"/hook", fileevents.Message{ID: "evt_x", Body: []byte("{}")}, [][]byte{[]byte("k")})
		if a.StatusCode != 0 || !strings.HasPrefix(a.Error, "blocked") {
			t.Errorf("%s: attempt %+v, want blocked before any connection", host, a)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the receiver on 127.0.0.1 was reached %d times", n)
	}
	if dns.asked.Load() == 0 {
		t.Error("the injected resolver was never asked")
	}
}

// A redirect is never followed, whatever it points to (the metadata
// address, a private one, another server): the attempt fails with the
// 3xx, and the target sees nothing.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var targetHits atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { targetHits.Add(1) }))
	defer target.Close()
	for _, to := range []string{"http://169.254.169.254/latest/meta-data/iam/security-credentials/", "http://10.0.0.1/", target.URL + "/inside"} {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, to, http.StatusTemporaryRedirect)
		}))
		u, _ := url.Parse(redirector.URL)
		// Only the redirecting receiver itself is reachable: loopback stays refused.
		g := &Guard{Resolver: &fakeDNS{names: map[string][]string{"hooks.example.com": {"127.0.0.1"}}}, testReceiver: netip.MustParseAddrPort(u.Host)}
		p := NewPoster(g, 2*time.Second)
		a := p.Post(context.Background(), "http://hooks.example.com:"+u.Port()+"/hook", fileevents.Message{ID: "evt_x", Body: []byte("{}")}, [][]byte{[]byte("k")})
		if a.StatusCode != http.StatusTemporaryRedirect || a.OK() || a.Error != "redirect not followed" {
			t.Errorf("redirect to %s: attempt %+v, want the 307 as a failed attempt", to, a)
		}
		redirector.Close()
	}
	if n := targetHits.Load(); n != 0 {
		t.Errorf("a redirect target was reached %d times", n)
	}
}
