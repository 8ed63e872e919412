package diag

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// TLS differentials (issue 11 item 2).

// handshakeCut: TCP worked and the handshake was reset, closed or left
// unanswered: an SNI filter, a stuck server or (timeouts) the path's MTU.
func handshakeCut(_ *chain, ev *Evidence, cause Cause) bool {
	return ev.Layer == LayerTLS && (cause == CauseTLSReset || cause == CauseTLSEOF || cause == CauseTLSTimeout)
}

// sniDifferential repeats the handshake to the same address without SNI
// (Go sends none for an IP literal). A filter reading the name lets it
// through; a stuck or resetting server does not answer it either.
func sniDifferential(ctx context.Context, c *chain, ev *Evidence) diffOutcome {
	peer := c.targetAddr.String()
	if c.proxy != nil {
		peer = c.proxyAddr.String()
	}
	t0 := time.Now()
	tr, err := c.replayTLS(ctx, false, &tls.Config{ServerName: peer, InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	if err != nil {
		return diffOutcome{evidence: "the retry could not connect: " + err.Error()}
	}
	if !answeredTLS(tr) {
		return diffOutcome{evidence: fmt.Sprintf("a handshake without SNI failed too (%v): the server, not a name filter", tr.Err)}
	}
	return diffOutcome{look: LookSNIFiltered, evidence: fmt.Sprintf("the handshake naming %s failed (%s) while one without SNI to the same address completed in %s", c.host, shortErr(ev.Err), msText(time.Since(t0)))}
}

// untrustedChain: the certificate's authority is unknown.
func untrustedChain(_ *chain, ev *Evidence, cause Cause) bool {
	return ev.Layer == LayerTLS && cause == CauseTLSUntrusted
}

// chainDifferential tells a missing intermediate from an untrusted root:
// the chain the server sent ends below a root; the issuer its certificate
// names (Authority Information Access) is fetched, and when the chain then
// verifies against the trusted roots, only the intermediate was missing.
func chainDifferential(ctx context.Context, c *chain, ev *Evidence) diffOutcome {
	var ve *tls.CertificateVerificationError
	if !errors.As(ev.Err, &ve) || len(ve.UnverifiedCertificates) == 0 {
		return diffOutcome{evidence: "no certificate to examine"}
	}
	certs := ve.UnverifiedCertificates
	top := certs[len(certs)-1]
	if selfSigned(top) {
		return diffOutcome{evidence: fmt.Sprintf("the chain ends in the self-signed root %q, which is not trusted here", top.Subject.String())}
	}
	urls := top.IssuingCertificateURL
	if len(urls) == 0 {
		return diffOutcome{evidence: fmt.Sprintf("the chain ends at %q, whose issuer %q was not sent and names no URL to fetch it from", top.Subject.String(), top.Issuer.String())}
	}
	cfg, err := c.tlsConfig()
	if err != nil {
		return diffOutcome{evidence: err.Error()}
	}
	for _, u := range urls {
		issuer, err := c.fetchIssuer(ctx, u)
		if err != nil {
			continue
		}
		inter := x509.NewCertPool()
		for _, ic := range certs[1:] {
			inter.AddCert(ic)
		}
		inter.AddCert(issuer)
		if _, err := certs[0].Verify(x509.VerifyOptions{Roots: cfg.RootCAs, Intermediates: inter, DNSName: cfg.ServerName}); err == nil {
			return diffOutcome{look: LookIncompleteChain, evidence: fmt.Sprintf("the server sent %d certificate(s) ending at %q without its issuer %q; that issuer, fetched from %s, chains to a trusted root", len(certs), top.Subject.String(), top.Issuer.String(), u)}
		}
		return diffOutcome{evidence: fmt.Sprintf("the issuer fetched from %s does not chain to a trusted root either: the root is untrusted", u)}
	}
	return diffOutcome{evidence: fmt.Sprintf("the issuer %q was not sent and could not be fetched from %v", top.Issuer.String(), urls)}
}

// fetchIssuer GETs an AIA issuer certificate (DER or PEM) the way new-api
// would reach it: through the endpoint's http(s) proxy when there is one.
func (c *chain) fetchIssuer(ctx context.Context, u string) (*x509.Certificate, error) {
	req := probe.HTTPRequest{Method: http.MethodGet, URL: u}
	if c.proxy != nil {
		if c.proxy.Scheme != "http" && c.proxy.Scheme != "https" {
			return nil, errors.New("the issuer is not fetched through a SOCKS proxy")
		}
		req.Proxy = c.proxy
	}
	hctx, cancel := context.WithTimeout(ctx, c.t.HTTP)
	defer cancel()
	r := probe.HTTP(hctx, req)
	if r.Err != nil {
		return nil, r.Err
	}
	if r.Status != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", r.Status)
	}
	der := r.Body
	if b, _ := pem.Decode(der); b != nil {
		der = b.Bytes
	}
	return x509.ParseCertificate(der)
}

func selfSigned(c *x509.Certificate) bool {
	return c.Subject.String() == c.Issuer.String() && c.CheckSignatureFrom(c) == nil
}

// Alert numbers (RFC 8446 §6): a server demanding a client certificate
// says 116 in TLS 1.3; in TLS 1.2 it asked (CertificateRequest) and then
// aborts with handshake_failure (40) or bad_certificate (42).
const alertCertificateRequired = 116

// alertCode is the number of a TLS alert the peer sent.
func alertCode(err error) (uint8, bool) {
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return uint8(ae), true
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "remote error" && oe.Err != nil {
		// crypto/tls's alert type is unexported; it is a uint8.
		if v := reflect.ValueOf(oe.Err); v.Kind() == reflect.Uint8 {
			return uint8(v.Uint()), true
		}
	}
	return 0, false
}

// clientCertEvidence says why the server demands a client certificate, or
// "" when it does not: alert 116 at the handshake or (TLS 1.3) at the
// first read, or any alert after a CertificateRequest.
func clientCertEvidence(ev Evidence) string {
	if ev.Layer != LayerTLS && ev.Layer != LayerHTTP {
		return ""
	}
	err := ev.Err
	if ev.Layer == LayerHTTP && ev.HTTP != nil {
		err = ev.HTTP.Err
	}
	code, ok := alertCode(err)
	if !ok {
		return ""
	}
	requested := ev.TLS != nil && ev.TLS.CertRequested
	switch {
	case code == alertCertificateRequired:
		return "the server answered with TLS alert 116 (certificate required)"
	case requested:
		return fmt.Sprintf("the server asked for a client certificate (CertificateRequest), got none and aborted with TLS alert %d", code)
	}
	return ""
}

// shortErr is an error's text for evidence ("connection reset by peer").
func shortErr(err error) string {
	switch kindOf(err) {
	case KindReset:
		return "reset"
	case KindTimeout:
		return "no answer in time"
	case KindEOF:
		return "closed"
	}
	if err == nil {
		return "failed"
	}
	return err.Error()
}
