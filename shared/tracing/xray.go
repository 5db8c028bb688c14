package tracing

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"
)

// XRay is a TracerProvider whose spans, when the invocation is sampled,
// become X-Ray subsegments of the Lambda invocation's segment, each sent
// in one UDP datagram to the daemon as it ends. A span outside a sampled
// invocation records nothing, and a datagram that is lost loses one
// subsegment: tracing never fails or slows a call.
type XRay struct {
	embedded.TracerProvider
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

// Tracer is the one tracer of the provider, whatever the scope.
func (x *XRay) Tracer(string, ...trace.TracerOption) trace.Tracer { return xrayTracer{x: x} }

type xrayTracer struct {
	embedded.Tracer
	x *XRay
}

// Start opens a span under the span in ctx, or else under the invocation's
// segment (its X-Ray trace header).
func (t xrayTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	parent := trace.SpanContextFromContext(ctx)
	if !parent.IsValid() {
		parent = invocationParent(ctx)
	}
	if !parent.IsValid() || !parent.IsSampled() {
		return ctx, noop.Span{}
	}
	cfg := trace.NewSpanStartConfig(opts...)
	var id trace.SpanID
	_, _ = rand.Read(id[:])
	s := &xraySpan{x: t.x, parent: parent.SpanID(), name: name, start: cfg.Timestamp(), attrs: map[attribute.Key]attribute.Value{},
		sc: trace.NewSpanContext(trace.SpanContextConfig{TraceID: parent.TraceID(), SpanID: id, TraceFlags: trace.FlagsSampled})}
	if s.start.IsZero() {
		s.start = time.Now()
	}
	s.SetAttributes(cfg.Attributes()...)
	return trace.ContextWithSpan(ctx, s), s
}

// xraySpan keeps what a subsegment shows; noop.Span answers the rest of
// the API (events, links), which X-Ray has no place for.
type xraySpan struct {
	noop.Span
	x      *XRay
	sc     trace.SpanContext
	parent trace.SpanID
	mu     sync.Mutex
	name   string
	start  time.Time
	attrs  map[attribute.Key]attribute.Value
	failed string // the error, when the status is Error
	ended  bool
}

func (s *xraySpan) SpanContext() trace.SpanContext { return s.sc }

func (s *xraySpan) IsRecording() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.ended
}

func (s *xraySpan) SetName(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.name = name
}

func (s *xraySpan) SetAttributes(kv ...attribute.KeyValue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range kv {
		s.attrs[a.Key] = a.Value
	}
}

func (s *xraySpan) SetStatus(code codes.Code, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == codes.Error {
		s.failed = description
	}
}

func (s *xraySpan) RecordError(err error, _ ...trace.EventOption) {
	s.SetStatus(codes.Error, err.Error())
}

// End sends the subsegment, once.
func (s *xraySpan) End(opts ...trace.SpanEndOption) {
	cfg := trace.NewSpanEndConfig(opts...)
	end := cfg.Timestamp()
	if end.IsZero() {
		end = time.Now()
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	doc, err := json.Marshal(s.subsegment(end))
	s.mu.Unlock()
	if err == nil {
		s.x.send(doc)
	}
}

// subsegment is the span as X-Ray's segment document spells a subsegment
// sent on its own (type, trace_id and parent_id set).
type subsegment struct {
	Name      string         `json:"name"`
	ID        string         `json:"id"`
	TraceID   string         `json:"trace_id"`
	ParentID  string         `json:"parent_id"`
	Type      string         `json:"type"`
	StartTime float64        `json:"start_time"`
	EndTime   float64        `json:"end_time"`
	Namespace string         `json:"namespace,omitempty"`
	Error     bool           `json:"error,omitempty"`
	Throttle  bool           `json:"throttle,omitempty"`
	Fault     bool           `json:"fault,omitempty"`
	Cause     *cause         `json:"cause,omitempty"`
	HTTP      *httpInfo      `json:"http,omitempty"`
	AWS       map[string]any `json:"aws,omitempty"`
}

type cause struct {
	Exceptions []exception `json:"exceptions"`
}

type exception struct {
	Message string `json:"message"`
}

type httpInfo struct {
	Response struct {
		Status int64 `json:"status"`
	} `json:"response"`
}

func (s *xraySpan) subsegment(end time.Time) subsegment {
	d := subsegment{Name: s.name, ID: s.sc.SpanID().String(), TraceID: traceID(s.sc.TraceID()), ParentID: s.parent.String(), Type: "subsegment",
		StartTime: seconds(s.start), EndTime: seconds(end)}
	// An AWS call: X-Ray names the node by its service and shows the
	// operation, region and request ID.
	if s.attrs[RPCSystem].AsString() == "aws-api" {
		d.Name, d.Namespace = s.attrs[RPCService].AsString(), "aws"
		d.AWS = map[string]any{"operation": s.attrs[RPCMethod].AsString(), "region": s.attrs[CloudRegion].AsString()}
		if id := s.attrs[AWSRequestID].AsString(); id != "" {
			d.AWS["request_id"] = id
		}
	}
	status := s.attrs[HTTPStatus].AsInt64()
	if status != 0 {
		d.HTTP = &httpInfo{}
		d.HTTP.Response.Status = status
	}
	switch {
	case status >= 500:
		d.Fault = true
	case status == 429:
		d.Error, d.Throttle = true, true
	case status >= 400:
		d.Error = true
	case s.failed != "":
		d.Fault = true // no answer at all: a timeout, a refused connection
	}
	if s.failed != "" {
		d.Cause = &cause{Exceptions: []exception{{Message: s.failed}}}
	}
	return d
}

func seconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// send writes one datagram: the daemon's header line, then the document.
// A write error is dropped on purpose (see XRay).
func (x *XRay) send(doc []byte) {
	msg := append([]byte(`{"format":"json","version":1}`+"\n"), doc...)
	x.mu.Lock()
	defer x.mu.Unlock()
	_, _ = x.conn.Write(msg)
}
