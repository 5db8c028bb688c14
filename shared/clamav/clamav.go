// Package clamav is the malware scanner adapter for clamd, ClamAV's daemon:
// it streams an object to clamd with the INSTREAM command, in chunks, so no
// object is ever held whole in memory, and turns clamd's answer into the
// domain's verdict. (Not `clamdscan --stream`, which truncates silently.)
//
// clamd's answers, with the z-prefixed (NUL-terminated) commands:
//
//	stream: OK                                         clean
//	stream: <signature> FOUND                          infected
//	stream: Heuristics.Limits.Exceeded.<limit> FOUND   unsupported (AlertExceedsMax yes)
//	stream: Heuristics.Encrypted.<format> FOUND        unsupported (AlertEncrypted yes)
//	INSTREAM size limit exceeded. ERROR                unsupported (over StreamMaxLength)
//	<anything else> ERROR                              no verdict: an error, retried
package clamav

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// DefaultChunkSize is how many bytes each INSTREAM chunk carries: what the
// scan holds in memory at once, whatever the object's size.
const DefaultChunkSize = 256 << 10

// maxReply bounds what is read of one answer (a signature name is short).
const maxReply = 4 << 10

// Client talks to one clamd. It is safe for concurrent use: every call is
// its own connection, as clamd serves one command per connection.
type Client struct {
	network, address string
	// ChunkSize is the INSTREAM chunk size (0: DefaultChunkSize). It must
	// stay below clamd's StreamMaxLength.
	ChunkSize int
	dialer    net.Dialer
}

// New returns a client for addr: "unix:///path/to/clamd.sock" or a bare
// absolute path for clamd's LocalSocket, "tcp://host:port" or "host:port"
// for its TCPSocket.
func New(addr string) (*Client, error) {
	switch {
	case strings.HasPrefix(addr, "unix://"):
		return &Client{network: "unix", address: strings.TrimPrefix(addr, "unix://")}, nil
	case strings.HasPrefix(addr, "/"):
		return &Client{network: "unix", address: addr}, nil
	case strings.HasPrefix(addr, "tcp://"):
		addr = strings.TrimPrefix(addr, "tcp://")
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("clamav: address %q is neither unix:///path nor tcp://host:port", addr)
	}
	return &Client{network: "tcp", address: addr}, nil
}

// Address is where the client reaches clamd, as New takes it.
func (c *Client) Address() string { return c.network + "://" + c.address }

// Ping asks clamd whether it is up and has loaded its database.
func (c *Client) Ping(ctx context.Context) error {
	reply, err := c.command(ctx, "PING")
	if err == nil && reply != "PONG" {
		err = fmt.Errorf("clamd %s: PING answered %q", c.Address(), reply)
	}
	return err
}

// Version is clamd's version and its database's ("ClamAV 1.4.3/27500/…").
func (c *Client) Version(ctx context.Context) (string, error) {
	return c.command(ctx, "VERSION")
}

// command sends a command without a payload and reads its one answer.
func (c *Client) command(ctx context.Context, cmd string) (string, error) {
	conn, done, err := c.open(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	if _, err := conn.Write([]byte("z" + cmd + "\x00")); err != nil {
		return "", c.fault(cmd, err)
	}
	reply, err := readReply(conn)
	if err != nil {
		return "", c.fault(cmd, err)
	}
	return reply, nil
}

// Scan streams r to clamd and returns its verdict. An error means there is
// none (clamd unreachable, failing, or r unreadable): the caller retries
// later. r is read in ChunkSize pieces and never buffered whole; clamd
// itself spools the stream to its TemporaryDirectory before scanning.
func (c *Client) Scan(ctx context.Context, r io.Reader) (files.ScanResult, error) {
	conn, done, err := c.open(ctx)
	if err != nil {
		return files.ScanResult{}, err
	}
	defer done()
	if _, err := conn.Write([]byte("zINSTREAM\x00")); err != nil {
		return files.ScanResult{}, c.fault("INSTREAM", err)
	}
	size := c.ChunkSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	buf := make([]byte, 4+size)
	for {
		if err := ctx.Err(); err != nil {
			return files.ScanResult{}, c.fault("INSTREAM", err)
		}
		n, rerr := r.Read(buf[4:])
		if n > 0 {
			binary.BigEndian.PutUint32(buf[:4], uint32(n))
			if _, err := conn.Write(buf[:4+n]); err != nil {
				return c.answerAfterCut(ctx, conn, err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return files.ScanResult{}, fmt.Errorf("clamav: reading the object to scan: %w", rerr)
		}
	}
	if _, err := conn.Write([]byte{0, 0, 0, 0}); err != nil { // end of stream
		return c.answerAfterCut(ctx, conn, err)
	}
	reply, err := readReply(conn)
	if err != nil {
		return files.ScanResult{}, c.fault("INSTREAM", err)
	}
	return c.verdict(reply)
}

// answerAfterCut reads what clamd said before it stopped reading the
// stream: over StreamMaxLength it answers and closes, and the write that
// found the connection closed is no fault of its own.
func (c *Client) answerAfterCut(ctx context.Context, conn net.Conn, werr error) (files.ScanResult, error) {
	if ctx.Err() != nil {
		return files.ScanResult{}, c.fault("INSTREAM", werr)
	}
	wait := time.Now().Add(5 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(wait) {
		wait = dl
	}
	_ = conn.SetReadDeadline(wait)
	reply, err := readReply(conn)
	if err != nil || reply == "" {
		return files.ScanResult{}, c.fault("INSTREAM", werr)
	}
	return c.verdict(reply)
}

// verdict reads clamd's answer to INSTREAM.
func (c *Client) verdict(reply string) (files.ScanResult, error) {
	if msg, ok := strings.CutSuffix(reply, " ERROR"); ok {
		if strings.HasPrefix(msg, "INSTREAM size limit exceeded") {
			return files.ScanResult{Verdict: files.ScanUnsupported, Signature: "INSTREAM size limit exceeded"}, nil
		}
		return files.ScanResult{}, fmt.Errorf("clamd %s: %s", c.Address(), msg)
	}
	body, ok := strings.CutPrefix(reply, "stream: ")
	switch {
	case ok && body == "OK":
		return files.ScanResult{Verdict: files.ScanClean}, nil
	case ok && strings.HasSuffix(body, " FOUND"):
		sig := strings.TrimSuffix(body, " FOUND")
		if unjudged(sig) {
			return files.ScanResult{Verdict: files.ScanUnsupported, Signature: sig}, nil
		}
		return files.ScanResult{Verdict: files.ScanInfected, Signature: sig}, nil
	}
	return files.ScanResult{}, fmt.Errorf("clamd %s: unexpected answer %q", c.Address(), reply)
}

// unjudged reports whether a heuristic "signature" means clamd could not
// look inside the object rather than that it found something: a limit it
// would not scan past, or encryption it cannot open.
func unjudged(sig string) bool {
	return strings.HasPrefix(sig, "Heuristics.Limits.Exceeded") || strings.HasPrefix(sig, "Heuristics.Encrypted")
}

// open connects, bounding the connection by ctx: its deadline, and its
// cancellation (which unblocks any read or write at once). done closes it.
func (c *Client) open(ctx context.Context) (net.Conn, func(), error) {
	conn, err := c.dialer.DialContext(ctx, c.network, c.address)
	if err != nil {
		return nil, nil, c.fault("connect", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return conn, func() { stop(); conn.Close() }, nil
}

// ErrUnavailable marks every failure to get an answer from clamd.
var ErrUnavailable = errors.New("clamd unavailable")

func (c *Client) fault(step string, err error) error {
	return fmt.Errorf("%w: %s %s: %w", ErrUnavailable, step, c.Address(), err)
}

// readReply reads one NUL-terminated answer.
func readReply(conn net.Conn) (string, error) {
	br := bufio.NewReaderSize(io.LimitReader(conn, maxReply), 512)
	reply, err := br.ReadBytes(0)
	if err != nil && !(errors.Is(err, io.EOF) && len(reply) > 0) {
		return "", err
	}
	return string(bytes.TrimRight(reply, "\x00\n")), nil
}
