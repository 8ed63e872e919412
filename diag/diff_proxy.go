package diag

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// The proxy speaks the other protocol (issue 11 item 7): an http:// URL on
// a SOCKS port gets silence or a hang-up to its CONNECT; a socks5:// URL on
// an HTTP proxy gets an HTTP answer, or silence, to its greeting. A fresh
// connection to the proxy, in the other protocol, tells that from a proxy
// that is merely broken, and names the scheme that works.

// proxyHandshakeFailed: the proxy took the connection, then its answer to
// the tunnel request was not one of its protocol's.
// A plain-http target goes to an http proxy in absolute form, with no
// handshake: there the exchange itself is what failed.
func proxyHandshakeFailed(c *chain, ev *Evidence, cause Cause) bool {
	if c.proxy == nil || c.proxy.Scheme == "https" {
		return false
	}
	switch {
	case ev.Layer == LayerProxyConnect:
		return cause == CauseProxyProtocol || cause == CauseProxyNoAnswerConnect || cause == CauseProxyReset || cause == CauseProxyOther
	case ev.Layer == LayerHTTP && absoluteForm(c.target, c.proxy):
		return cause == CauseHTTPEOF || cause == CauseHTTPReset || cause == CauseNoResponse || cause == CauseHTTPProtocol
	}
	return false
}

func proxySchemeDifferential(ctx context.Context, c *chain, _ *Evidence) diffOutcome {
	other, scheme := "socks5", "socks5h"
	if c.proxy.Scheme == "socks5" || c.proxy.Scheme == "socks5h" {
		other, scheme = "http", "http"
	}
	addr := net.JoinHostPort(c.proxyAddr.String(), c.proxyPort)
	cctx, cancel := context.WithTimeout(ctx, c.t.Connect)
	defer cancel()
	t0 := time.Now()
	r := probe.TCP(cctx, "tcp", addr)
	if r.Err != nil {
		return diffOutcome{evidence: "the proxy could not be reached again: " + shortErr(r.Err)}
	}
	yes, what, err := probe.ProxySpeaks(cctx, r.Conn, other)
	switch {
	case err != nil:
		return diffOutcome{evidence: fmt.Sprintf("asked in %s too, the proxy was %s: it speaks neither", other, shortErr(err))}
	case !yes:
		return diffOutcome{evidence: "the proxy " + what + ": it speaks neither"}
	}
	right := scheme + "://" + net.JoinHostPort(c.proxyHost, c.proxyPort)
	return diffOutcome{look: LookProxyWrongScheme, evidence: fmt.Sprintf("its URL says %s://, but %s in %s: use %s", c.proxy.Scheme, what, msText(time.Since(t0)), right)}
}
