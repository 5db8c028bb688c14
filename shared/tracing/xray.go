package tracing

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"time"
)

// XRay sends subsegments to the X-Ray daemon, one UDP datagram each. A
// datagram lost loses one subsegment: tracing never fails or slows a call.
type XRay struct {
	mu   sync.Mutex
	conn net.Conn
}

// NewXRay sends to the daemon at address, as Lambda sets
// AWS_XRAY_DAEMON_ADDRESS: "host:port", or "tcp:host:port udp:host:port".
func NewXRay(address string) (*XRay, error) {
	for _, f := range strings.Fields(address) {
		if a, ok := strings.CutPrefix(f, "udp:"); ok {
			address = a
		}
	}
	// A UDP "dial" only binds a socket: no packet, no wait.
	conn, err := net.Dial("udp", address)
	if err != nil {
		return nil, err
	}
	return &XRay{conn: conn}, nil
}

// subsegment is a call as X-Ray's segment document spells a subsegment
// sent on its own (type, trace_id and parent_id set).
type subsegment struct {
	Name      string            `json:"name"`
	ID        string            `json:"id"`
	TraceID   string            `json:"trace_id"`
	ParentID  string            `json:"parent_id"`
	Type      string            `json:"type"`
	StartTime float64           `json:"start_time"`
	EndTime   float64           `json:"end_time"`
	Namespace string            `json:"namespace"`
	Error     bool              `json:"error,omitempty"`
	Throttle  bool              `json:"throttle,omitempty"`
	Fault     bool              `json:"fault,omitempty"`
	Cause     *cause            `json:"cause,omitempty"`
	HTTP      *httpInfo         `json:"http,omitempty"`
	AWS       map[string]string `json:"aws"`
}

type cause struct {
	Exceptions []exception `json:"exceptions"`
}

type exception struct {
	Message string `json:"message"`
}

type httpInfo struct {
	Response struct {
		Status int `json:"status"`
	} `json:"response"`
}

// document is the call's subsegment: X-Ray names the node by its service
// and shows the operation, region and request ID.
func (c *call) document(end time.Time) subsegment {
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	d := subsegment{Name: c.service, ID: hex.EncodeToString(id), TraceID: c.parent.traceID, ParentID: c.parent.segmentID,
		Type: "subsegment", StartTime: seconds(c.start), EndTime: seconds(end), Namespace: "aws",
		AWS: map[string]string{"operation": c.operation, "region": c.region}}
	if c.requestID != "" {
		d.AWS["request_id"] = c.requestID
	}
	if c.status != 0 {
		d.HTTP = &httpInfo{}
		d.HTTP.Response.Status = c.status
	}
	switch {
	case c.status >= 500:
		d.Fault = true
	case c.status == 429:
		d.Error, d.Throttle = true, true
	case c.status >= 400:
		d.Error = true
	case c.err != nil:
		d.Fault = true // no answer at all: a timeout, a refused connection
	}
	if c.err != nil {
		d.Cause = &cause{Exceptions: []exception{{Message: c.err.Error()}}}
	}
	return d
}

func seconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// send writes one datagram: the daemon's header line, then the document.
// A write error is dropped on purpose (see XRay).
func (x *XRay) send(c *call, end time.Time) {
	doc, err := json.Marshal(c.document(end))
	if err != nil {
		return
	}
	msg := append([]byte(`{"format":"json","version":1}`+"\n"), doc...)
	x.mu.Lock()
	defer x.mu.Unlock()
	_, _ = x.conn.Write(msg)
}
