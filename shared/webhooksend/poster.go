package webhooksend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/filegate/filegate/shared/fileevents"
)

// Poster sends webhook attempts (fileevents.Poster).
type Poster struct {
	client *http.Client
	clock  func() time.Time
}

var _ fileevents.Poster = (*Poster)(nil)

// NewPoster is a poster whose connections g guards, each attempt bounded
// by timeout. It uses no proxy from the environment and follows no
// redirect: a 3xx is a failed attempt (a redirect could lead anywhere).
func NewPoster(g *Guard, timeout time.Duration) *Poster {
	d := &net.Dialer{Timeout: timeout, Control: g.control}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			ips, err := g.resolve(ctx, host)
			if err != nil {
				return nil, fmt.Errorf("resolving %s: %w", host, err)
			}
			var errs []error
			for _, ip := range ips {
				// The Control hook checks each address as it is dialled.
				c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
				if err == nil {
					return c, nil
				}
				errs = append(errs, err)
			}
			return nil, errors.Join(errs...)
		},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Poster{
		client: &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		clock:  time.Now,
	}
}

// UserAgent names the sender to receivers.
const UserAgent = "Filegate-Webhooks/1"

// Post makes one attempt, signed now with keys.
func (p *Poster) Post(ctx context.Context, url string, msg fileevents.Message, keys [][]byte) fileevents.Attempt {
	start := p.clock()
	a := fileevents.Attempt{At: start}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(msg.Body))
	if err != nil {
		a.Error = "bad url"
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("webhook-id", msg.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(start.Unix(), 10))
	req.Header.Set("webhook-signature", Signature(keys, msg.ID, start, msg.Body))
	resp, err := p.client.Do(req)
	a.Latency = p.clock().Sub(start)
	if err != nil {
		a.Error = describe(err)
		return a
	}
	// A little of the body, so the connection can be reused; never kept.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	a.StatusCode = resp.StatusCode
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		a.Error = "redirect not followed"
	case !a.OK():
		a.Error = "receiver answered " + strconv.Itoa(resp.StatusCode)
	}
	return a
}

// describe is a short, safe account of a transport error for the log.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, errBlocked):
		return "blocked: " + unwrapAll(err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return unwrapAll(err)
}

// unwrapAll drops the URL prefix net/http puts before transport errors.
func unwrapAll(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			err = inner
		}
	}
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
