package diag

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// A certificate for an unrelated name on the target's address (issue 11
// item 6): a captive portal intercepting port 443 shows its own certificate.
// Plain HTTP to the same address, through the same path, then gets the
// portal's redirect to its login host; a server merely misconfigured for
// this name does not send you to another site.

// portalHTTPPort is where the portal's plain-HTTP answer is asked (tests move it).
var portalHTTPPort = "80"

func certForAnotherName(c *chain, ev *Evidence, cause Cause) bool {
	return cause == CauseTLSHostname && c.target != nil && c.target.Scheme == "https"
}

func portalDifferential(ctx context.Context, c *chain, ev *Evidence) diffOutcome {
	conn, err := c.dialPath(ctx, false, c.targetAddr, c.host, portalHTTPPort, c.proxy == nil || c.proxy.Scheme == "socks5" || c.proxy.Scheme == "socks5h")
	if err != nil {
		return diffOutcome{evidence: "plain HTTP to the same address could not connect: " + shortErr(err)}
	}
	defer conn.Close()
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(c.host, portalHTTPPort), Path: "/"}
	if portalHTTPPort == "80" {
		u.Host = c.host
	}
	req := probe.HTTPRequest{Method: http.MethodGet, URL: u.String(), Header: http.Header{"User-Agent": {"newapi-doctor"}}, Conn: conn}
	if absoluteForm(&u, c.proxy) {
		req.Proxy = c.proxy
	}
	hctx, cancel := context.WithTimeout(ctx, c.t.HTTP)
	defer cancel()
	hr := probe.HTTP(hctx, req)
	if hr.Err != nil {
		return diffOutcome{evidence: "plain HTTP to the same address: " + shortErr(hr.Err)}
	}
	look, seen := answerFromMiddle(&hr, &u, nil)
	if look != LookCaptivePortal {
		return diffOutcome{evidence: fmt.Sprintf("plain HTTP to the same address answered %d without sending you elsewhere", hr.Status)}
	}
	names := ""
	if t := c.tlsRes; t != nil && len(t.Chain) > 0 {
		names = fmt.Sprintf("the certificate on port %s is %s's; ", c.port, t.Chain[0].Subject)
	}
	return diffOutcome{look: LookCaptivePortal, evidence: names + "plain HTTP to the same address: " + seen}
}
