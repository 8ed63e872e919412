package diag

// Hints of issue 11 items 5-8: each says the evidence it rests on. The
// catalogue (hints.go) takes them in with its own entries.
var middleHints = map[Cause]causeInfo{
	CauseBodyStalled: {CatOverloaded, LayerHTTP, func(f HintFacts) string {
		return f.tr("The upstream answered with headers, then its body stopped arriving%s An overloaded upstream, or a relay/CDN/proxy in between that buffers or drops the stream; streaming requests through new-api die the same way. Retry later, try another relay or channel, or check the proxy's read timeouts and buffering.", evidence(f))
	}},
	CauseCaptivePortal: {CatBlocked, LayerHTTP, func(f HintFacts) string {
		return f.tr("Something in the middle answered for %s and sent the request to another host: a captive portal (hotel, airport, company Wi-Fi login) or a transparent filter%s Log in to the network in a browser, or route new-api through a proxy that bypasses it.", orHost(f, f.Host), evidence(f))
	}},
	CauseProxyBlockPage: {CatProxy, LayerHTTP, func(f HintFacts) string {
		return f.tr("The HTTP proxy %s answered with its own web page (HTTP 200, HTML) instead of passing the API's answer: a proxy block or login page%s Allow the provider's host in the proxy's rules, log in to it, or use another proxy.", orProxy(f), evidence(f))
	}},
	CauseBotWall: {CatBlocked, LayerHTTP, func(f HintFacts) string {
		return f.tr("A bot check answered instead of the provider's API%s It is not a region block, a portal or a wrong base URL: the check (Cloudflare's challenge in front of the provider, or the provider's own \"unusual activity\" block) distrusts this egress IP (a datacenter or shared proxy address, a bad reputation). Use a cleaner egress (another proxy or region), or ask the relay's operator to exempt API paths from the challenge.", evidence(f))
	}},
	CauseProxyTargetDNS: {CatProxy, LayerProxyConnect, func(f HintFacts) string {
		return f.tr("The proxy %s could not resolve %s: its own DNS failed, not yours%s Fix the proxy's resolver (squid's dns_nameservers, the proxy host's resolv.conf), or check the host name.", orProxy(f), orHost(f, f.Host), evidence(f))
	}},
	CauseProxyTargetRefused: {CatProxy, LayerProxyConnect, func(f HintFacts) string {
		return f.tr("The proxy %s reached %s, and the target refused its connection%s The proxy works; the target's port is closed from where the proxy stands: check the base URL's port, or the provider's status.", orProxy(f), hostPort(f), evidence(f))
	}},
	CauseProxyTargetTimeout: {CatProxy, LayerProxyConnect, func(f HintFacts) string {
		return f.tr("The proxy %s tried %s and the target never answered it%s The proxy works; the path from the proxy to the target is filtered or down: try another proxy or egress region.", orProxy(f), hostPort(f), evidence(f))
	}},
	CauseProxyWrongScheme: {CatProxy, LayerProxyConnect, func(f HintFacts) string {
		return f.tr("The proxy %s speaks the other protocol than its URL's scheme%s Change the scheme in new-api's proxy setting (HTTPS_PROXY or the channel's proxy).", orProxy(f), evidence(f))
	}},
	CauseEndpointFiltered: {CatBlocked, "", func(f HintFacts) string {
		return f.tr("Only %s fails: a control target through the same path passes, so the network and any proxy work and this destination is filtered (a censor, a firewall rule, a provider blocking your egress)%s Reach it through a proxy or relay outside the filter.", orHost(f, f.Host), evidence(f))
	}},
	CausePathDown: {CatUnreachable, "", func(f HintFacts) string {
		via := f.tr("the network")
		if f.Proxy != "" {
			via = f.tr("the proxy %s (or the network behind it)", f.Proxy)
		}
		return f.tr("Not only %s: every control target fails through the same path too, so %s is down, not this endpoint%s Fix connectivity first.", orHost(f, f.Host), via, evidence(f))
	}},
}

func orProxy(f HintFacts) string {
	if f.Proxy == "" {
		return f.tr("in the path")
	}
	return f.Proxy
}
