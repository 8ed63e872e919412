package diag

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// Signal is what can be observed about one failure, whoever observed it.
// check fills it from the probes' typed errors (Evidence.Signal), explain
// from error text; the one table (classTable) reads nothing else, so the two
// front-ends cannot disagree about what an observation means.
type Signal struct {
	Layer Layer
	Kind  ErrKind // what the error means on the wire (KindOther = nothing known)
	Errno int     // the errno or Winsock number when known (Kind decides; this is for the record)

	Config ConfigProblem // LayerConfig: what is wrong with the plan

	// ConnectStatus is a proxy's non-200 answer to CONNECT; ConnectStatusUnknown
	// when the text says CONNECT was refused without saying with what.
	ConnectStatus int
	SOCKSStage    string // "greeting", "auth", "connect": where a SOCKS5 proxy said no
	SOCKSReply    byte   // RFC 1928 reply (stage "connect") or RFC 1929 status (stage "auth")
	Protocol      bool   // the proxy answered something that is not the protocol asked for

	Rcode      string // DNS rcode: NXDOMAIN, SERVFAIL, REFUSED, NOERROR (empty = not seen)
	NoResolver bool   // no resolver is configured
	NotFound   bool   // the lookup said the name does not exist (no rcode seen)

	Cert   CertProblem // a certificate the client rejected
	NotTLS bool        // the peer did not answer TLS
	Alert  bool        // the peer aborted the handshake with a TLS alert

	HTTPStatus int       // an HTTP answer's status (0 = none seen)
	HTTPErr    bool      // the HTTP exchange failed after the connection was up
	Body       BodyMarks // what the answer's body (or the provider's message) says in words

	KeySent         bool // a key was sent (a 401/403 then judges the key)
	Loopback        bool // the failing peer is on loopback
	ProxyInPath     bool // a proxy carries the connection
	AdminProhibited bool // a router answered ICMP administratively prohibited
	NewAPI          bool // the answer is a new-api gateway's /api/status
	IPv6Failed      bool // the name's IPv6 address failed while IPv4 answered
	// Lookalike is what a differential probe proved (differential.go).
	Lookalike Lookalike

	// What the endpoint's source knows about it. ReachabilityOnly: a
	// channel whose API is not OpenAI-shaped is probed at the host's root,
	// where any answer but a proxy's proves the path. FullURL: the URL is
	// the full request new-api POSTs to, so a GET's 405 proves the path.
	// PortGuessed: the port is the doctor's guess, not configured.
	ReachabilityOnly, FullURL, PortGuessed bool

	// SystemProxyWorks: new-api's own path failed and the OS proxy (which
	// new-api ignores) reached the upstream.
	SystemProxyWorks bool
}

// ConnectStatusUnknown: CONNECT was refused, the status is not known.
const ConnectStatusUnknown = -1

// ConfigProblem is why an endpoint could not be planned.
type ConfigProblem int

const (
	ConfigNone        ConfigProblem = iota
	ConfigBadURL                    // the endpoint URL
	ConfigProxyURL                  // the proxy setting is not a URL
	ConfigProxyScheme               // the proxy's scheme is not one new-api supports
	ConfigCAFile                    // ca_file unreadable or empty
)

// CertProblem is why a certificate was rejected.
type CertProblem int

const (
	CertNone        CertProblem = iota
	CertUntrusted               // signed by an unknown authority
	CertHostname                // not valid for the name asked
	CertExpired                 // past NotAfter
	CertNotYetValid             // before NotBefore
	CertInvalid                 // rejected for another reason
)

// BodyMarks are what an answer says in words: providers only say "region"
// or "quota" in text, so this is the one place words decide.
type BodyMarks uint16

const (
	BodyRegion     BodyMarks = 1 << iota // the provider refuses this country/region
	BodyQuota                            // quota or credit exhausted
	BodyHTML                             // a web page where an API answers JSON
	BodyRateLimit                        // rate-limited, in words
	BodyOverloaded                       // overloaded, in words (Anthropic's overloaded_error)
	BodyAuth                             // the key was rejected, in words
)

// The providers' words for each mark (lower case). check reads them in
// answer bodies, explain in log lines: one list, so both name the same causes.
var (
	RegionMarkers = []string{"unsupported_country_region_territory", "request not allowed", "user location is not supported", "location is not supported", "location not supported", "country may not be supported", "country is not supported", "not available in your country",
		"country, region, or territory not supported", "not available in your region", "request not allowed from your location",
		"from unsupported countries", // Anthropic: "… is not allowed from unsupported countries, regions, or territories"
		"所在的地区暂不支持", "所在地区暂不支持", "国家或地区不可用", "地区不可用", "不支持您所在"}
	QuotaMarkers = []string{"insufficient_quota", "quota is not enough", "pre-consumed quota failed", "pre_consume_token_quota_failed", "insufficient_user_quota",
		"credit balance too low", "令牌额度已用尽", "exceeded your current quota", "credit balance is too low", "quota exceeded",
		"billing_hard_limit_reached", "insufficient balance", "余额不足", "额度不足", "check your billing details", "预扣费额度失败",
		// OpenRouter, Hugging Face, Moonshot, DashScope ("Arrearage"), Zhipu: credits or balance spent.
		"insufficient credits", "included credits", "out of credits", "more credits", "can only afford", "额度已用", "额度用尽", "配额", "exceeded_current_quota", "arrearage", "欠费", "account is in good standing", "无可用资源包",
		// a plan's usage spent; a relay's token (令牌) with its quota used up.
		"usage has reached the max", "已用尽",
		// SiliconFlow's "Your paid balance is insufficient. Please top up".
		"balance is insufficient"}
	HTMLMarkers = []string{"invalid character '<'", "an html page where json was expected", "<!doctype html", "<html", "just a moment...", "attention required! | cloudflare", "unexpected token '<'", "looking for beginning of value",
		// a client saying the answer was no JSON; a paste with its spaces lost
		"response is not json", "not json format", "character'<'",
		"json.parse: unexpected character at line 1 column 1",
		// JavaScript's older JSON.parse wording, and Python's json on a body that is no JSON.
		"unexpected token < in json", "expecting value: line 1 column 1"}
	RateLimitMarkers = []string{"rate_limit_exceeded", "rate limit reached", "too many requests", "upstream load saturated", "resource_exhausted", "rate_limit_error",
		"负载已饱和", "no deployments available", "no healthy deployment", "resource has been exhausted", "rate limit", "rate limited",
		"tokens per min", "requests per min",
		// Chinese providers' concurrency limits; a plan's usage cap.
		"并发数过高", "请求过于频繁", "请求频率", "usage limit reached", "throttling", "请求过多", "请求太频繁", "人数过多", "resource exhausted",
		"次数已达上限", "已达上限",
		"request limit reached", "ratelimitexceeded", "rpm limit", "tpm limit"}
	OverloadedMarkers = []string{"overloaded_error",
		// A provider saying it is too busy, in its own words.
		"server is busy", "server_busy", "服务器繁忙", "系统繁忙", "服务繁忙", "engine_overloaded", "负载已经饱和", "too busy", "model is busy"}
	AuthMarkers = []string{"invalid_api_key", "invalid_apikey", "no apikey provided", "a valid api key", `"code": "unauthorized"`, `"code":"unauthorized"`, "incorrect api key provided", "invalid x-api-key", "authentication_error", "api key not valid", "api_key_invalid", "invalid authentication", "无效的令牌",
		"didn't provide an api key", "provide your api key", "authorization was missing", "authorization header missing", "未提供令牌", "not authorized to use this api key",
		"pass a valid api key", "invalid api key", "api key is missing", "api key not found", "令牌状态不可用", "令牌已过期",
		// AWS (Bedrock) and Google's own words for a rejected credential.
		"unrecognizedclientexception", "security token included in the request is invalid", "invalidsignatureexception", "accessdeniedexception",
		// OpenAI's key of a deactivated account.
		"account_deactivated", "deactivated account",
		// OAuth's refusal of a credential (Google's service accounts); OpenAI's
		// dashboard refusing an API key where a session is needed.
		"invalid_grant", "must be made with a session key",
		"request had invalid authentication credentials", "permission_denied", "unauthenticated",
		// FastAPI's, DashScope's, one-api's and Chinese providers' wording; Anthropic's disabled organisation.
		"could not validate credentials", "invalidapikey", "invalid api-key", "invalid token", "已被封禁", "无权",
		"permission_error", "organization has been disabled", `"error":"unauthorized"`, `"error": "unauthorized"`,
		`"message":"unauthorized"`, `"message": "unauthorized"`, "missing bearer", "invalid authorization header",
		"invalid key", "key is invalid", "wrong key", "login fail: "}
)

var bodyMarkers = []struct {
	mark  BodyMarks
	words *[]string
}{
	{BodyRegion, &RegionMarkers}, {BodyQuota, &QuotaMarkers}, {BodyHTML, &HTMLMarkers},
	{BodyRateLimit, &RateLimitMarkers}, {BodyOverloaded, &OverloadedMarkers}, {BodyAuth, &AuthMarkers},
}

// Provider reports the marks of a provider's own refusal (a region, a quota,
// a key): a page carrying them is the provider's, not a wall in front of it.
func (m BodyMarks) Provider() bool { return m&(BodyRegion|BodyQuota|BodyAuth) != 0 }

// resolverUnnamed: err is a lookup whose resolver, given by name, could
// not be dialled because that name did not resolve.
func resolverUnnamed(err error) bool {
	var de *net.DNSError
	var op *net.OpError
	var inner *net.DNSError
	return errors.As(err, &de) && errors.As(de.UnwrapErr, &op) && op.Op == "dial" && errors.As(op.Err, &inner)
}

// BodyMarksOf reads the marks in lower-cased text.
func BodyMarksOf(low string) BodyMarks {
	var m BodyMarks
	for _, b := range bodyMarkers {
		for _, w := range *b.words {
			if strings.Contains(low, w) {
				m |= b.mark
				break
			}
		}
	}
	return m
}

// Evidence is what the chain saw at its first failing layer (or at the HTTP
// layer when everything connected). Signal reads it by types, errnos and
// status codes; message text is only read from HTTP bodies, where the
// providers put their reasons.
type Evidence struct {
	Layer    Layer
	Err      error
	Addr     netip.Addr // the address that failed, when known
	KeySent  bool
	Provider string
	DNS      *probe.DNSResult
	Proxy    *probe.ProxyResult
	HTTP     *probe.HTTPResult
	TLS      *probe.TLSResult
	Now      time.Time // for certificate validity (zero = time.Now)
	ViaProxy bool      // a proxy carries the connection

	AdminProhibited bool      // the path probe heard ICMP administratively prohibited
	NewAPIVersion   string    // new-api's /api/status answered with this version
	IPv6Failed      bool      // IPv4 connected while the name's IPv6 address failed
	Lookalike       Lookalike // what a differential probe proved (differential.go)
	LookEvidence    string    // what that probe saw, for the hint and the message

	// What the endpoint's source knows (Signal has their meaning).
	ReachabilityOnly, FullURL, PortGuessed bool
}

// Signal reads the evidence into the observation the table classifies.
func (ev *Evidence) Signal() Signal {
	s := Signal{Layer: ev.Layer, Kind: kindOf(ev.Err), KeySent: ev.KeySent, ProxyInPath: ev.ViaProxy || ev.Proxy != nil,
		Loopback: ev.Addr.IsValid() && ev.Addr.Unmap().IsLoopback(), AdminProhibited: ev.AdminProhibited, NewAPI: ev.NewAPIVersion != "",
		IPv6Failed: ev.IPv6Failed, Lookalike: ev.Lookalike, ReachabilityOnly: ev.ReachabilityOnly, FullURL: ev.FullURL, PortGuessed: ev.PortGuessed}
	err := ev.Err
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s.Errno = int(errno)
	}
	switch ev.Layer {
	case LayerConfig:
		s.Config = ConfigBadURL
		var pe *ProxyError
		var cf *CAFileError
		switch {
		case errors.As(err, &pe) && pe.Cause == CauseProxyUnsupported:
			s.Config = ConfigProxyScheme
		case errors.As(err, &pe):
			s.Config = ConfigProxyURL
		case errors.As(err, &cf):
			s.Config = ConfigCAFile
		}
	case LayerProxyConnect:
		var ce *probe.ConnectError
		var se *probe.SOCKSError
		var pe *probe.ProtocolError
		switch {
		case errors.As(err, &ce):
			s.ConnectStatus = ce.StatusCode
		case errors.As(err, &se) && se.Stage == "protocol":
			s.Protocol = true
		case errors.As(err, &se):
			s.SOCKSStage, s.SOCKSReply = se.Stage, se.Reply
		case errors.As(err, &pe):
			s.Protocol = true
		}
	case LayerProxyDNS, LayerDNS:
		if ev.DNS != nil {
			s.Rcode, s.NoResolver = ev.DNS.Rcode, ev.DNS.NoResolver
		}
		var de *net.DNSError
		if errors.As(err, &de) {
			s.NotFound = de.IsNotFound
			if de.IsTimeout {
				s.Kind = KindTimeout
			}
			if resolverUnnamed(de) {
				// --resolver named a host whose own name does not resolve
				// ("on nonsense:53: dial udp: lookup nonsense …"): that
				// resolver cannot be reached, whatever the target's name.
				s.Kind = KindHostUnreach
			}
		}
	case LayerTLS, LayerProxyTLS:
		s.Cert = certProblem(err, ev.Now)
		var rh tls.RecordHeaderError
		s.NotTLS = errors.As(err, &rh)
		s.Alert = remoteAlert(err)
	case LayerHTTP:
		if h := ev.HTTP; h != nil {
			s.HTTPErr = h.Err != nil
			if h.Err == nil {
				s.HTTPStatus = h.Status
				hay := strings.ToLower(h.ErrorType + " " + h.ErrorCode + " " + h.ErrorMessage + " " + string(h.Body))
				// HTML is judged by the answer's type, not by words: a JSON
				// message may quote a web page.
				s.Body = BodyMarksOf(hay) &^ BodyHTML
				if isHTML(h) {
					s.Body |= BodyHTML
				}
			}
		}
	}
	return s
}

func certProblem(err error, now time.Time) CertProblem {
	var he x509.HostnameError
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &he):
		return CertHostname
	case errors.As(err, &ua):
		return CertUntrusted
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		// x509 reports both ends of the validity window as Expired.
		if now.IsZero() {
			now = time.Now()
		}
		if ci.Cert != nil && now.Before(ci.Cert.NotBefore) {
			return CertNotYetValid
		}
		return CertExpired
	case errors.As(err, &ci):
		return CertInvalid
	}
	return CertNone
}

func remoteAlert(err error) bool {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "remote error" {
		return true
	}
	var ae tls.AlertError
	return errors.As(err, &ae)
}

// isHTML: the answer is a web page where an API answers JSON.
func isHTML(h *probe.HTTPResult) bool {
	ct := strings.ToLower(h.ContentType)
	if strings.Contains(ct, "text/html") {
		return true
	}
	b := bytes.TrimSpace(h.Body)
	return !strings.Contains(ct, "json") && len(b) > 0 && b[0] == '<'
}
