// Package probe holds one file per network probe. Every probe takes ctx first
// (its deadline bounds the probe), returns a typed result with its phase
// timings and the raw error, and never prints: classification is diag's job.
package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// DNSResult is the answer for one name through one resolver.
type DNSResult struct {
	Host     string        `json:"host"`
	Resolver string        `json:"resolver"` // "system" or the server address used
	A        []netip.Addr  `json:"a,omitempty"`
	AAAA     []netip.Addr  `json:"aaaa,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	// Rcode is the DNS response code seen ("NOERROR", "NXDOMAIN", "SERVFAIL",
	// "REFUSED") or "" when no answer came or it could not be learned.
	Rcode string `json:"rcode,omitempty"`
	// NoResolver is set when the system has no resolver configured.
	NoResolver bool  `json:"no_resolver,omitempty"`
	Err        error `json:"-"` // nil when at least one address was found
}

// Addrs returns A then AAAA.
func (r DNSResult) Addrs() []netip.Addr { return append(append([]netip.Addr{}, r.A...), r.AAAA...) }

// TCPResult is one TCP connect attempt.
type TCPResult struct {
	Network  string        `json:"network"` // tcp4 or tcp6
	Addr     string        `json:"addr"`    // host:port dialed
	Local    string        `json:"local,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Err      error         `json:"-"`
	Conn     net.Conn      `json:"-"` // open on success; the caller closes it
}

// CertInfo summarises one certificate of the peer's chain.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	IPs       []string  `json:"ips,omitempty"` // IP address SANs
}

// TLSResult is one TLS handshake over an existing connection.
type TLSResult struct {
	ServerName string     `json:"server_name"`
	Version    string     `json:"version,omitempty"` // "TLS 1.3"
	Cipher     string     `json:"cipher,omitempty"`
	ALPN       string     `json:"alpn,omitempty"`
	Chain      []CertInfo `json:"chain,omitempty"` // the peer's chain, also when verification failed
	Verified   bool       `json:"verified"`
	// CertRequested: the server sent a CertificateRequest (it asks for a
	// client certificate; none is ever sent).
	CertRequested bool          `json:"cert_requested,omitempty"`
	Duration      time.Duration `json:"duration_ns"`
	Err           error         `json:"-"` // wraps x509/tls error types so errors.As works
	Conn          *tls.Conn     `json:"-"` // open on success; the caller closes it
}

// HTTPTimings are the phases of one HTTP exchange, taken with httptrace.
type HTTPTimings struct {
	Connect      time.Duration `json:"connect_ns,omitempty"`
	TLS          time.Duration `json:"tls_ns,omitempty"`
	WroteRequest time.Duration `json:"wrote_request_ns,omitempty"`
	FirstByte    time.Duration `json:"first_byte_ns,omitempty"` // since the request started
	Total        time.Duration `json:"total_ns"`
}

// HTTPResult is one HTTP request and the start of its answer.
type HTTPResult struct {
	URL         string            `json:"url"`
	Method      string            `json:"method"`
	Status      int               `json:"status,omitempty"`
	Proto       string            `json:"proto,omitempty"`
	ContentType string            `json:"content_type,omitempty"`
	RetryAfter  string            `json:"retry_after,omitempty"`
	Server      string            `json:"server,omitempty"`
	Date        string            `json:"date,omitempty"`
	RateLimit   map[string]string `json:"rate_limit,omitempty"` // x-ratelimit-* headers
	// Body is at most BodyLimit bytes of the answer, for classification.
	Body []byte `json:"-"`
	// ErrorType / ErrorCode / ErrorMessage are read from a JSON error body
	// ({"error":{"type","code","message"}} and the common variants).
	ErrorType    string      `json:"error_type,omitempty"`
	ErrorCode    string      `json:"error_code,omitempty"`
	ErrorMessage string      `json:"error_message,omitempty"`
	Timings      HTTPTimings `json:"timings"`
	Err          error       `json:"-"`
	// Location is a redirect's target (3xx are reported, never followed).
	Location string `json:"location,omitempty"`
	// ProxyStatus is the proxy's answer to CONNECT when the request was
	// tunnelled through HTTPRequest.Proxy (0 = no CONNECT was sent).
	ProxyStatus int `json:"proxy_status,omitempty"`
	// NewAPIFailure is set for new-api's own {"success":false,...} answers,
	// which often come with HTTP 200.
	NewAPIFailure bool `json:"newapi_failure,omitempty"`
	// BodyErr is an error while reading the body after the headers arrived.
	BodyErr error `json:"-"`
	// BodyStall is set when the body stopped arriving (no byte within
	// HTTPRequest.BodyIdle, or the deadline) before it ended.
	BodyStall *BodyStallError `json:"body_stall,omitempty"`
	// Header is the answer's header (cf-mitigated, cf-ray, Via: who answered).
	Header http.Header `json:"-"`
}

// BodyLimit caps how much of an answer a probe reads.
const BodyLimit = 16 << 10

// ProxyResult is a CONNECT or SOCKS5 handshake with a proxy over an open
// connection to it, asking it to reach Target.
type ProxyResult struct {
	Kind       string        `json:"kind"` // "http-connect" or "socks5"
	Target     string        `json:"target"`
	Status     int           `json:"status,omitempty"`      // CONNECT answer status
	StatusText string        `json:"status_text,omitempty"` // CONNECT answer status line text
	SOCKSReply int           `json:"socks_reply,omitempty"` // SOCKS5 reply code (0 = succeeded)
	Duration   time.Duration `json:"duration_ns"`
	Err        error         `json:"-"`
	Conn       net.Conn      `json:"-"` // the tunnel on success; the caller closes it
}

// DNSConfig selects the resolver a DNS probe asks. (Declared here, beside the
// results, because diag's RunOptions carries it.)
type DNSConfig struct {
	Servers    []string // "127.0.0.1:5353"; empty = the system resolver
	ResolvConf string   // path; "" = /etc/resolv.conf (unix): detects "no resolver" and where to learn rcodes
	// Dial reaches Servers; nil (always, outside tests) is net.Dialer, UDP
	// first. A test on a platform that opens no UDP socket (wine) hands its
	// in-process DNS fake a TCP connection instead: the answer is framed
	// by the connection's type.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
}
