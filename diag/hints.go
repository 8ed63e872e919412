package diag

import (
	"net"
	"runtime"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// HintFacts are the specifics a hint may quote. Everything is optional.
type HintFacts struct {
	Host       string // target host
	Port       string
	Proxy      string // proxy host:port (credentials never put here)
	ProxyCreds bool   // the proxy URL carried credentials (they were sent)
	ProxyFrom  string // where the proxy came from (ProxyInfo.Source)
	Status     int
	RetryAfter string
	Issuer     string // issuer of the peer's leaf certificate (TLS)
	Path       string // URL path probed
	APIVersion string // the api-version query parameter probed (Azure)
	FullURL    bool   // the endpoint's URL is the whole request URL (new-api's Custom channel)
	// KeyUnavailable: a key was asked for (--with-keys) but the source has none to give.
	KeyUnavailable bool
	Provider       string
	InDocker       bool
	Resolver       string
	// ResolverUnnamed: Resolver was given by name and that name itself did
	// not resolve, so it could not be asked at all.
	ResolverUnnamed bool
	// SystemProxy is the OS proxy URL that worked (credentials stripped)
	// and SystemProxyFrom its source ("system:wininet"); NewAPIPath says
	// what new-api does instead ("connects directly", "uses HTTPS_PROXY").
	SystemProxy, SystemProxyFrom, NewAPIPath string
	// Evidence: what a differential probe saw (differential.go); the
	// look-alike causes' hints rest on it.
	Evidence string
	// ProxyClient names the local proxy client whose usual port was refused
	// ("Clash"); explain sets it.
	ProxyClient string
	// Lang is the hint's language ("" = the process's, i18n.Default).
	Lang i18n.Lang
}

// tr formats a hint's sentence in its language: the English is the
// message key, its Chinese form is in zh_hints.go.
func (f HintFacts) tr(key string, a ...any) string { return f.Lang.Or().Sprintf(key, a...) }

type causeInfo struct {
	cat   Category
	layer Layer // where the cause is decided; "" for verdicts about the run, not a layer
	hint  func(f HintFacts) string
}

func fixed(s string) func(f HintFacts) string {
	return func(f HintFacts) string { return f.Lang.Or().T(s) }
}

// hintOS is the OS hints are written for: the one the doctor runs on, where
// the reader types the fix (tests set it).
var hintOS = runtime.GOOS

// perOS is a hint with a Windows wording and one for Unix systems.
func perOS(windows, unix string) func(f HintFacts) string {
	return func(f HintFacts) string {
		if hintOS == "windows" {
			return f.Lang.Or().T(windows)
		}
		return f.Lang.Or().T(unix)
	}
}

// resolverSetting is where this OS's resolver is set.
func resolverSetting(l i18n.Lang) string {
	if hintOS == "windows" {
		return l.T("the network adapter's DNS settings (then `ipconfig /flushdns`)")
	}
	return l.T("/etc/resolv.conf (or Docker's --dns)")
}

func clockCheck(l i18n.Lang) string {
	switch hintOS {
	case "windows":
		return l.T("compare the taskbar clock with real time")
	case "darwin":
		return l.T("check `date`")
	}
	return l.T("check `date` and `timedatectl`")
}

func clockFix(l i18n.Lang) string {
	switch hintOS {
	case "windows":
		return l.T("`w32tm /resync` from a terminal run as Administrator, or Settings → Time & language → Sync now")
	case "darwin":
		return l.T("`sudo sntp -sS time.apple.com`, or enable automatic time in System Settings")
	}
	return l.T("enable NTP (`timedatectl set-ntp true`) or `chronyc makestep`")
}

// catalogue is THE cause model: every cause's category, layer and hint.
// check and explain both read it; nothing else stores a cause's category
// or layer. A test checks that every Cause constant has an entry.
var catalogue = withHints(baseHints, middleHints)

// withHints is one catalogue made of several tables; a cause in two of them
// is a mistake a test would not see, so it panics at start-up.
func withHints(tables ...map[Cause]causeInfo) map[Cause]causeInfo {
	out := map[Cause]causeInfo{}
	for _, t := range tables {
		for c, ci := range t {
			if _, dup := out[c]; dup {
				panic("diag: cause " + string(c) + " has two catalogue entries")
			}
			out[c] = ci
		}
	}
	return out
}

var baseHints = map[Cause]causeInfo{
	CauseOK: {CatOK, LayerHTTP, fixed("")},
	CauseOKKeyNotSent: {CatOK, LayerHTTP, func(f HintFacts) string {
		if f.KeyUnavailable {
			return f.tr("Reachable. The upstream asked for a key and none was sent: new-api's admin API does not list keys, so --with-keys had none to send and the key itself was not checked. Read the database (--from-db --with-keys) to check it.")
		}
		return f.tr("Reachable. The upstream asked for a key and none was configured, so the key itself was not checked: add key/key_env (or --with-keys) to test it.")
	}},
	CauseNewAPIOK:      {CatOK, LayerHTTP, fixed("")},
	CauseIPv6Broken:    {CatOK, LayerHTTP, fixed("Reachable over IPv4, but the connection over IPv6 failed. Go (and so new-api) falls back to IPv4 at once; clients that try IPv6 first stall. Fix IPv6 routing here, or stop advertising/using IPv6 for this host.")},
	CauseFlaky:         {CatOK, "", fixed("It failed some attempts and then answered: a lossy path or an overloaded upstream. Retries in new-api (RetryTimes) and a second channel absorb this; if it persists, look at the failing attempts' layer.")},
	CauseBadURL:        {CatHTTP, LayerConfig, fixed("The endpoint URL is not a valid http(s) URL: fix the base URL (scheme, host, no spaces).")},
	CauseInterrupted:   {CatHTTP, "", fixed("The run was interrupted before this endpoint finished.")},
	CauseDeadline:      {CatOverloaded, "", fixed("The whole run's deadline ended before this endpoint answered: raise --deadline, or look at the layer that was still waiting.")},
	CauseInternalError: {CatHTTP, "", fixed("newapi-doctor hit an internal error on this endpoint; please report it with `newapi-doctor bundle`.")},

	// The layer that failed is new-api's own path's (in the notes); through
	// the system proxy every layer passed.
	CauseSystemProxyOnly: {CatProxy, "", systemProxyHint},

	CausePortInUse: {CatRefused, "", func(f HintFacts) string {
		port := f.Port
		if port == "" {
			port = "3000"
		}
		if hintOS == "windows" {
			return f.tr("The port is already taken (WSAEADDRINUSE 10048): another program — often an earlier new-api still running in the tray — listens on it. Find it with `netstat -ano | findstr :%s` (the last column is the PID; Task Manager → Details shows the program) and end it, or start new-api on another port (PORT=3001).", port)
		}
		return f.tr("The port is already taken (EADDRINUSE): another program listens on it — an earlier new-api, or another service. Find it with `ss -ltnp 'sport = :%s'` and stop it, or start new-api on another port (PORT=3001).", port)
	}},
	CauseAddrNotValid: {CatUnreachable, LayerTCP, fixed("The address cannot be connected to (WSAEADDRNOTAVAIL 10049): 0.0.0.0 (or ::) is a listening address meaning 'every interface', not a destination, and Windows refuses to connect to it. Put 127.0.0.1 (this machine) or the server's real address in the base URL.")},
	CauseEphemeralPorts: {CatOverloaded, LayerTCP, perOS(
		"This machine ran out of local ports for new connections (WSAENOBUFS 10055): something opens connections faster than they close, leaving thousands in TIME_WAIT. Count them with `netstat -ano | find /c \"TIME_WAIT\"` and find the process with the most (PID column); widen the range from a terminal run as Administrator: `netsh int ipv4 set dynamicport tcp start=10000 num=55535`, then restart the program that leaks.",
		"This machine ran out of local ports for new connections (EADDRNOTAVAIL on connect): thousands in TIME_WAIT (`ss -s`). Widen the range (`sysctl -w net.ipv4.ip_local_port_range=\"10000 65000\"`), enable net.ipv4.tcp_tw_reuse, and find the program that opens connections without reusing them.")},

	CauseNXDOMAIN: {CatDNS, LayerDNS, func(f HintFacts) string {
		s := f.tr("The name %s does not exist (NXDOMAIN). Check the base URL for typos. If it is right, your resolver lies (DNS pollution or a filtering resolver): try another resolver (a public one such as Cloudflare's or AliDNS) or a proxy that resolves names itself (socks5h, or an HTTP proxy).", orHost(f, f.Host))
		if hintOS == "windows" {
			s += f.tr(" Windows caches the failed answer: run `ipconfig /flushdns` after changing DNS or the hosts file.")
		}
		return s
	}},
	CauseSERVFAIL: {CatDNS, LayerDNS, fixed("The resolver failed to answer (SERVFAIL): it could not reach the domain's name servers, or DNSSEC failed. Try again, or use another resolver; a proxy that resolves names itself avoids the local resolver.")},
	CauseDNSRefused: {CatDNS, LayerDNS, perOS(
		"The resolver refused the query (REFUSED): it does not serve you. Set a resolver that does in the network adapter's DNS settings (`ipconfig /all` shows the current ones), then run `ipconfig /flushdns`.",
		"The resolver refused the query (REFUSED): it does not serve you. Point /etc/resolv.conf (or Docker's --dns) at a resolver that does.")},
	CauseDNSTimeout: {CatDNS, LayerDNS, func(f HintFacts) string {
		return f.tr("The resolver%s never answered. No network, a firewall dropping DNS, or a dead resolver. Inside Docker, the embedded resolver 127.0.0.11 forwards to the host's: check the host's DNS. Offline machines see this for every provider.", inResolver(f.Resolver))
	}},
	CauseDNSNoAnswer: {CatDNS, LayerDNS, fixed("The name exists but has no address records (NOERROR, empty). A wrong host name (e.g. a bare domain instead of api.…), or a filtering resolver.")},
	CauseNoResolver: {CatDNS, LayerDNS, perOS(
		"No DNS resolver is configured on any network adapter (`ipconfig /all` lists none). Set one in the adapter's DNS settings, then run `ipconfig /flushdns`.",
		"No DNS resolver is configured here (no nameserver in /etc/resolv.conf). Configure one, or in Docker pass --dns.")},
	CauseDNSUnreachble: {CatDNS, LayerDNS, func(f HintFacts) string {
		if f.ResolverUnnamed {
			return f.tr("The resolver%s could not be asked: its own name does not resolve. Give the resolver as an IP address (--resolver 223.5.5.5:53), or correct its name.", inResolver(f.Resolver))
		}
		if hintOS == "windows" {
			return f.tr("The resolver%s could not be reached (refused or unreachable): the network is down, or the adapter points at a resolver that is gone (a proxy client's DNS that is not running). Check `ipconfig /all`, then `ipconfig /flushdns`.", inResolver(f.Resolver))
		}
		return f.tr("The resolver%s could not be reached (refused or unreachable). A local stub resolver (systemd-resolved, dnsmasq) is not running, or the network is down.", inResolver(f.Resolver))
	}},
	CauseFakeIP: {CatDNS, LayerDNS, func(f HintFacts) string {
		return f.tr("The name resolved into 198.18.0.0/15, Clash/mihomo's fake-IP range, but the traffic does not go through the proxy client (no TUN device routes it)%s Those addresses only work through the client: turn its TUN mode on, route new-api through its proxy port, or use redir-host mode.", evidence(f))
	}},
	CauseDNSSinkhole: {CatDNS, LayerDNS, func(f HintFacts) string {
		return f.tr("Your resolver answered %s with a sinkhole address (0.0.0.0, :: or loopback) for a public name: an ad-block/filtering resolver (Pi-hole, AdGuard, a router) or a hijack, not a local service that is down%s Allow the name in the filter, or use another resolver.", orHost(f, f.Host), evidence(f))
	}},
	CauseHostsFile: {CatDNS, LayerDNS, func(f HintFacts) string {
		return f.tr("The address comes from a hosts file line, not from DNS, and it does not answer%s Remove or fix the stale line (a leftover pin or an old mirror's address).", evidence(f))
	}},
	CauseDNSInjected: {CatDNS, LayerDNS, func(f HintFacts) string {
		return f.tr("A DNS answer arrived from an address where no DNS server listens: something on the path answers DNS queries itself (injection or a transparent DNS hijack)%s Use DNS over TCP/HTTPS, a resolver across a tunnel, or a proxy that resolves names itself (socks5h, an HTTP proxy).", evidence(f))
	}},
	CauseDNSWrong: {CatDNS, LayerDNS, func(f HintFacts) string {
		return f.tr("Your resolver's answer does not connect while another path's answer does: the system resolver is wrong (polluted, stale or filtering)%s Point %s at the resolver that answered right, or use a proxy that resolves names itself.", evidence(f), resolverSetting(f.Lang.Or()))
	}},
	CauseDNSOther: {CatDNS, LayerDNS, perOS(
		"Resolving the name failed. Check the adapter's DNS servers (`ipconfig /all`), clear the cache with `ipconfig /flushdns`, and check that the network is up.",
		"Resolving the name failed. Check /etc/resolv.conf and that the network is up.")},

	CauseGatewayPortGuessed: {CatRefused, LayerTCP, func(f HintFacts) string {
		return f.tr("Nothing answers on %s, and that port is a guess: PORT is not set here, so new-api's default 3000 was tried. If new-api runs on another port, give it: run with PORT=<port> as new-api sees it, or --gateway http://HOST:PORT. If new-api is not running on this machine, this warning is all there is.", hostPort(f))
	}},
	CauseLocalRefused: {CatRefused, LayerTCP, func(f HintFacts) string {
		return f.tr("Nothing listens on %s. Start the service, or fix the port. Inside Docker, localhost/127.0.0.1 is the container itself: use the host's address, host.docker.internal (on Linux add extra_hosts: host.docker.internal:host-gateway) or host networking, and bind the local model server to 0.0.0.0.", hostPort(f))
	}},
	CauseConnRefused: {CatRefused, LayerTCP, func(f HintFacts) string {
		return f.tr("%s answered the connection with a reset: the host is up but nothing accepts on that port. Check the port in the base URL; if it is the provider's, the service is down (check its status page). A firewall rejecting with a reset looks the same: compare from another network.", hostPort(f))
	}},
	CauseConnResetConnect: {CatRefused, LayerTCP, fixed("The connection was reset while being set up: a service crashing on accept, or a middlebox resetting the connection.")},

	CauseSYNTimeout: {CatBlocked, LayerTCP, func(f HintFacts) string {
		return f.tr("No answer to the connection attempt to %s until the timeout: packets are dropped on the way (a firewall, a censor's blackhole, a provider blocking your region) or the host is down. From mainland China, OpenAI/Anthropic/Gemini need a proxy: set HTTPS_PROXY for new-api or a per-channel proxy.", hostPort(f))
	}},
	CauseTLSReset: {CatBlocked, LayerTLS, func(f HintFacts) string {
		return f.tr("TCP to %s worked, then the connection was reset during the TLS handshake. When a handshake without SNI passes (`newapi-doctor check` tries one, and then says sni-filtered) a filter reads the name; when it is reset too, the server or a filter on the address resets it. Check that the port speaks TLS, then try through a proxy (HTTPS_PROXY or a per-channel socks5 proxy).", hostPort(f))
	}},
	CauseTLSEOF:     {CatBlocked, LayerTLS, fixed("TCP worked, then the connection was closed during the TLS handshake: a filter reading the name (`newapi-doctor check` then passes without SNI and says sni-filtered), a server that refuses this TLS version, or a filter on the address. Try through a proxy; if that works, the direct path is filtered.")},
	CauseTLSTimeout: {CatBlocked, LayerTLS, fixed("TCP worked but the TLS handshake never completed: a filter dropping this name, a path-MTU black hole (`newapi-doctor check` retries without SNI and with a small MSS, and then says sni-filtered or mtu-blackhole), a stalled server, or a filter dropping everything to the address. Try through a proxy.")},
	CauseLocalFirewall: {CatBlocked, LayerTCP, perOS(
		"Windows refused to open the connection (WSAEACCES 10013): Windows Defender Firewall or a security suite (360, 火绒/Huorong, Kaspersky) blocks this program, or the port lies in a Hyper-V/WSL excluded range (`netsh interface ipv4 show excludedportrange protocol=tcp`). Allow new-api and newapi-doctor in the firewall (Windows Security → Firewall → Allow an app), or use a port outside the excluded ranges.",
		"The operating system refused to open the connection (EACCES): a local firewall rule (iptables/nftables owner match) or security software (SELinux, AppArmor) blocks this program. Allow it, or change the port.")},
	CauseRegionBlocked: {CatBlocked, LayerHTTP, func(f HintFacts) string {
		return f.tr("The provider answered that your location is not supported (%s). It sees the IP you egress from: use a proxy or server in a supported region for this channel (per-channel proxy in new-api).", statusText(f))
	}},
	CauseAdminProhib: {CatBlocked, LayerTCP, fixed("A router answered 'administratively prohibited': a firewall on the path rejects this destination. Ask the network's administrator, or use a proxy.")},

	CauseNetUnreachable:  {CatUnreachable, LayerTCP, fixed("No route to that network (ENETUNREACH / 10051): this machine has no default route, or a router said the network is unreachable. Check the network connection, VPN and routes (ip route / route print); IPv6-only failures mean IPv6 is not routed here.")},
	CauseHostUnreachable: {CatUnreachable, LayerTCP, fixed("The host is unreachable (EHOSTUNREACH / 10065): a router answered that it cannot reach it, or a firewall rejects with ICMP. Run `newapi-doctor trace` to see where the path ends.")},
	CauseNoNetwork:       {CatUnreachable, LayerTCP, fixed("The network is down here (ENETDOWN / 10050). Check the interface and the connection.")},

	CauseProxyBadURL: {CatProxy, LayerConfig, func(f HintFacts) string {
		return f.tr("The proxy setting%s is not a valid URL. Use scheme://host:port, e.g. http://127.0.0.1:7890 or socks5://127.0.0.1:1080. Note that Go (and so new-api) silently ignores an unparsable HTTPS_PROXY and connects directly.", from(f))
	}},
	CauseProxyUnsupported: {CatProxy, LayerConfig, fixed("new-api supports proxies with the schemes http, https, socks5 and socks5h only ('unsupported proxy scheme'). Change the scheme.")},
	CauseProxyDNS: {CatProxy, LayerProxyDNS, func(f HintFacts) string {
		return f.tr("The proxy's own name %s does not resolve. Fix the proxy host; from inside Docker, a proxy on the host is host.docker.internal, not localhost.", orHost(f, f.Proxy))
	}},
	CauseProxyRefused: {CatProxy, LayerProxyTCP, func(f HintFacts) string {
		if isLoopbackHost(f.Proxy) {
			return f.tr("Nothing listens on the proxy %s%s: the proxy client (Clash, v2rayN, …) is not running, or listens on another port (Clash: 7890, v2rayN: 10808/10809). Inside Docker, 127.0.0.1 is the container: use the host's address and enable 'allow LAN' in the client.", f.Proxy, from(f))
		}
		return f.tr("The proxy %s%s refused the connection: it is not running on that port, or does not accept you. Check the proxy address and that the proxy service is up.", f.Proxy, from(f))
	}},
	CauseProxyTimeout: {CatProxy, LayerProxyTCP, func(f HintFacts) string {
		return f.tr("The proxy %s%s never answered the connection attempt: wrong address, a firewall in between, or the proxy host is down.", f.Proxy, from(f))
	}},
	CauseProxyUnreachable: {CatProxy, LayerProxyTCP, func(f HintFacts) string {
		return f.tr("The proxy %s cannot be reached (no route, or the OS refused). Check the address and the network between this machine and the proxy.", f.Proxy)
	}},
	CauseProxyReset:        {CatProxy, LayerProxyTCP, fixed("The proxy closed or reset the connection: it may require another protocol (an http:// URL pointing at a SOCKS port, or the reverse), or it rejected you. Check the scheme against the proxy client's port.")},
	CauseProxyTLS:          {CatProxy, LayerProxyTLS, fixed("TLS to the https:// proxy failed. Most local proxies speak plain HTTP: use http:// for them.")},
	CauseProxyAuthRequired: {CatProxy, LayerProxyConnect, proxyAuthHint},
	CauseProxyForbidden:    {CatProxy, LayerProxyConnect, fixed("The proxy answered 403 to CONNECT: its rules forbid this destination or port (squid/tinyproxy ConnectPort, ACLs). Ask its administrator to allow port 443 to the provider.")},
	CauseProxyBadGateway: {CatProxy, LayerProxyConnect, func(f HintFacts) string {
		st := "HTTP 502"
		if f.Status != 0 {
			st = statusText(f)
		}
		return f.tr("The proxy answered CONNECT with %s: it could not reach the upstream (refused, unresolvable or blocked from the proxy's side; squid says 503). Test the provider from the proxy host, or use another proxy.", st)
	}},
	CauseProxyGatewayTimeout: {CatProxy, LayerProxyConnect, fixed("The proxy answered 504: it timed out reaching the upstream. The proxy's own network cannot reach the provider.")},
	CauseProxyStatus: {CatProxy, LayerProxyConnect, func(f HintFacts) string {
		return f.tr("The proxy answered CONNECT with %s instead of 200. Check the proxy's logs and rules.", statusText(f))
	}},
	CauseProxyProtocol:        {CatProxy, LayerProxyConnect, fixed("The proxy answered something that is not the expected protocol: the URL's scheme does not match the port (http:// on a SOCKS port, socks5:// on an HTTP port, or a non-proxy service).")},
	CauseSOCKSAuth:            {CatProxy, LayerProxyConnect, fixed("The SOCKS5 proxy rejected the username/password. Fix the credentials in the proxy URL.")},
	CauseSOCKSNoMethod:        {CatProxy, LayerProxyConnect, fixed("The SOCKS5 proxy accepted none of the offered authentication methods: it needs a username and password (or a method new-api does not offer). Add credentials to the proxy URL.")},
	CauseSOCKSRefused:         {CatProxy, LayerProxyConnect, fixed("The SOCKS5 proxy reached the upstream's host, which refused the connection (reply 5). The upstream port is closed as seen from the proxy.")},
	CauseSOCKSUnreachable:     {CatProxy, LayerProxyConnect, fixed("The SOCKS5 proxy could not reach the upstream (network/host unreachable, reply 3/4): the proxy's own network cannot route to the provider, or its DNS failed.")},
	CauseSOCKSNotAllowed:      {CatProxy, LayerProxyConnect, fixed("The SOCKS5 proxy's rules forbid this destination (reply 2). Allow it in the proxy's configuration.")},
	CauseSOCKSFailure:         {CatProxy, LayerProxyConnect, fixed("The SOCKS5 proxy reported a failure connecting to the upstream. Check the proxy's logs.")},
	CauseProxyNoAnswerConnect: {CatProxy, LayerProxyConnect, fixed("The proxy accepted the connection but never answered the tunnel request: it is stalled, or it is not a proxy of that kind.")},
	CauseProxyOther:           {CatProxy, LayerProxyConnect, fixed("The connection through the proxy failed. Check the proxy address, scheme and credentials.")},

	CauseTLSUntrusted: {CatTLS, LayerTLS, func(f HintFacts) string {
		s := f.tr("The certificate is signed by an authority this machine does not trust.")
		if f.Issuer != "" {
			s += f.tr(" Issuer: %q.", f.Issuer)
		}
		s += f.tr(" A MITM/debugging proxy (Fiddler, Charles, corporate TLS inspection, some 'accelerators') or a self-signed upstream.")
		if hintOS == "windows" {
			s += f.tr(" On Windows, security suites that scan HTTPS — 360安全卫士, 火绒/Huorong, Kaspersky, ESET, Avast — sign with their own root: turn off their HTTPS/SSL scanning, or exclude new-api and this host.")
		}
		return s + f.tr(" Install that CA (ca_file, or the system store), or bypass the interception; TLS_INSECURE_SKIP_VERIFY in new-api hides the problem and is unsafe.")
	}},
	CauseTLSHostname: {CatTLS, LayerTLS, func(f HintFacts) string {
		return f.tr("The certificate is not valid for %s: the name points at another service (a wrong CNAME, a hijacking resolver, a captive portal), or the base URL uses an IP or a different name than the certificate.", orHost(f, f.Host))
	}},
	CauseTLSExpired: {CatTLS, LayerTLS, func(f HintFacts) string {
		return f.tr("The certificate has expired — or this machine's clock is wrong (%s; a clock far in the future makes every certificate look expired). Fix the clock first: %s.", clockCheck(f.Lang.Or()), clockFix(f.Lang.Or()))
	}},
	CauseTLSNotYet: {CatTLS, LayerTLS, func(f HintFacts) string {
		return f.tr("The certificate is not valid yet: this machine's clock is almost certainly behind. Fix the clock: %s.", clockFix(f.Lang.Or()))
	}},
	CauseTLSNotTLS: {CatTLS, LayerTLS, fixed("The server did not answer TLS: the port speaks plain HTTP (use http:// in the base URL), or a captive portal/plaintext proxy intercepted the connection.")},
	CauseTLSAlert:  {CatTLS, LayerTLS, fixed("The server aborted the handshake with a TLS alert (protocol version, SNI or cipher mismatch). An old TLS stack on one side, or a server name it does not serve.")},
	CauseTLSOther:  {CatTLS, LayerTLS, fixed("The TLS handshake failed.")},
	CauseSNIFiltered: {CatBlocked, LayerTLS, func(f HintFacts) string {
		return f.tr("A filter reads the TLS server name: the handshake naming %s is cut while the same address completes one with another name%s Use a proxy or tunnel for this channel (new-api's per-channel proxy); nothing on the server is wrong.", orHost(f, f.Host), evidence(f))
	}},
	CauseIncompleteChain: {CatTLS, LayerTLS, func(f HintFacts) string {
		return f.tr("The server sends its certificate without the intermediate that links it to a trusted root (an incomplete chain); browsers fetch the missing one, Go (new-api) does not%s Fix the server to send the full chain (fullchain.pem), or add the intermediate to ca_file meanwhile.", evidence(f))
	}},
	CauseClientCert: {CatTLS, LayerTLS, func(f HintFacts) string {
		return f.tr("The server demands a client certificate (mutual TLS) and none was sent%s This is not an HTTP error: the endpoint needs a client certificate new-api cannot present; use the provider's public endpoint, or a gateway that holds the certificate.", evidence(f))
	}},
	CauseTLSCAFile: {CatTLS, LayerConfig, fixed("The configured ca_file could not be read or holds no PEM certificate.")},

	CauseRateLimited: {CatOverloaded, LayerHTTP, func(f HintFacts) string {
		s := f.tr("The provider is rate-limiting you (429).")
		if f.RetryAfter != "" {
			s += f.tr(" Retry-After: %s.", f.RetryAfter)
		}
		return s + f.tr(" Spread load over more keys/channels, lower concurrency, and let new-api retry (RetryTimes) across channels with priorities.")
	}},
	CauseQuota:         {CatOverloaded, LayerHTTP, fixed("The key's quota or credit is exhausted (429 insufficient_quota / 'credit balance is too low'). Top up or use another key; retries will not help. new-api can auto-disable such channels by keyword.")},
	CauseUnavailable:   {CatOverloaded, LayerHTTP, fixed("The upstream answered 503 Service Unavailable: overloaded or in maintenance. Check its status page; add a fallback channel.")},
	CauseOverloaded529: {CatOverloaded, LayerHTTP, fixed("The upstream answered 529 Overloaded (Anthropic's signal). Retry with backoff; add a fallback channel.")},
	CauseBadGateway:    {CatOverloaded, LayerHTTP, fixed("A gateway in front of the upstream answered 502: the upstream behind it failed. Usually transient; if it persists, check the relay or CDN in front.")},
	CauseGatewayTO: {CatOverloaded, LayerHTTP, func(f HintFacts) string {
		if f.Status == 524 {
			return f.tr("Cloudflare answered 524: the origin took longer than Cloudflare's 100–120 s limit. Long non-streaming requests through a Cloudflare-fronted relay hit this; use streaming or a direct origin.")
		}
		return f.tr("A gateway in front of the upstream timed out (504). The upstream is slow or stuck.")
	}},
	CauseNoResponse: {CatOverloaded, LayerHTTP, fixed("The upstream accepted the connection but did not answer in time. Overloaded, or an intermediary holding the request. Raise the timeout to confirm; check RELAY_TIMEOUT and any reverse proxy in front of new-api.")},

	CauseUnauthorized: {CatAuth, LayerHTTP, fixed("The key was rejected (401): wrong, revoked, or for another provider/region (e.g. a key for the China endpoint used on the international one). Replace the channel's key.")},
	CauseForbidden:    {CatAuth, LayerHTTP, fixed("The key is valid but not allowed here (403): no access to this model/project, an organisation mismatch, or the account is restricted.")},

	CauseNotFound: {CatHTTP, LayerHTTP, notFoundHint},
	CauseHTML:     {CatHTTP, LayerHTTP, fixed("Got an HTML page where a JSON API answer was expected (new-api: invalid character '<'): a ban page, captive portal, Cloudflare challenge or a web site at that URL. Open it in a browser from this network; use a proxy or the right API host.")},
	CauseHTTPStatus: {CatHTTP, LayerHTTP, func(f HintFacts) string {
		return f.tr("Unexpected answer %s. Compare the base URL with the provider's documentation.", statusText(f))
	}},
	CauseHTTPReset:    {CatHTTP, LayerHTTP, fixed("The connection was reset after the request was sent: a filter inspecting traffic, or the server crashed on the request.")},
	CauseHTTPEOF:      {CatHTTP, LayerHTTP, fixed("The server closed the connection without answering (empty reply): a wrong protocol on that port or a middlebox cutting the request.")},
	CauseHTTPProtocol: {CatHTTP, LayerHTTP, fixed("The answer was not valid HTTP: a non-HTTP service on that port, or a broken intermediary.")},
	CauseKeywordFiltered: {CatBlocked, LayerHTTP, func(f HintFacts) string {
		return f.tr("Something on the path filters on the request's content: the request was reset while a neutral request over the same connection settings was answered%s Use https (a filter cannot read an encrypted request) or a proxy/tunnel for this channel.", evidence(f))
	}},
	CauseMTUBlackhole: {CatUnreachable, LayerTLS, func(f HintFacts) string {
		return f.tr("A path-MTU black hole: small packets pass, full-size ones vanish and the ICMP 'fragmentation needed' that should say so never arrives%s Clamp the TCP MSS on the router or tunnel (iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu), or lower the MTU of the interface or VPN (e.g. 1400).", evidence(f))
	}},
	CauseServerError: {CatHTTP, LayerHTTP, func(f HintFacts) string {
		return f.tr("The upstream failed with %s. A fault on the provider's side; retry later or fail over.", statusText(f))
	}},
}

// Category is the cause's category ("" when the cause is unknown).
func (c Cause) Category() Category { return catalogue[c].cat }

// Layer is the layer at which the cause is decided ("" for verdicts about
// the run rather than a layer: interrupted, deadline-exceeded, flaky, …).
func (c Cause) Layer() Layer { return catalogue[c].layer }

// Known reports whether the catalogue has the cause.
func (c Cause) Known() bool { _, ok := catalogue[c]; return ok }

// IsProxy reports whether the proxy, not the target, is at fault.
func (c Cause) IsProxy() bool { return c.Category() == CatProxy }

// CategoryOf returns the category a cause belongs to ("" when unknown).
func CategoryOf(c Cause) Category { return c.Category() }

// Causes lists every cause of the catalogue (unordered).
func Causes() []Cause {
	out := make([]Cause, 0, len(catalogue))
	for c := range catalogue {
		out = append(out, c)
	}
	return out
}

// Hint returns the remediation hint for the cause.
func (c Cause) Hint(f HintFacts) string { return HintFor(c, f) }

// HintFor returns the remediation hint for a cause.
func HintFor(cause Cause, f HintFacts) string {
	ci, ok := catalogue[cause]
	if !ok {
		return ""
	}
	f.Lang = f.Lang.Or()
	h := ci.hint(f)
	// Hints may open with a fact ("the host answered…"): a sentence starts upper-case.
	if r, size := utf8.DecodeRuneInString(h); f.Lang == i18n.EN && r != utf8.RuneError && unicode.IsLower(r) {
		h = string(unicode.ToUpper(r)) + h[size:]
	}
	if f.InDocker && !strings.Contains(h, "127.0.0.1") && (cause == CauseConnRefused || cause == CauseProxyRefused) {
		h += f.tr(" (Running inside a container: addresses are the container's view.)")
	}
	if f.ProxyClient != "" && (cause == CauseLocalRefused || cause == CauseConnRefused) {
		client := f.ProxyClient
		if i18n.Has(client) { // "a SOCKS proxy"; product names stay as they are
			client = f.Lang.T(client)
		}
		h += f.tr(" Port %s is %s's usual port: if it is the proxy new-api (or its tokenizer download) is set to use, the proxy client is not running or listens elsewhere.", f.Port, client)
	}
	return h
}

// proxyAuthHint tells missing credentials from rejected ones: the proxy's
// status alone does not (tinyproxy: 407 without, 401 with wrong ones; squid:
// 407 for both), whether the URL carried them does.
func proxyAuthHint(f HintFacts) string {
	answer := "407 Proxy Authentication Required"
	if f.Status == 401 {
		answer = f.tr("401 Unauthorized (tinyproxy's answer to wrong credentials)")
	}
	if f.ProxyCreds {
		return f.tr("The proxy answered CONNECT with %s: it rejected the username or password in the proxy URL%s. Fix them (URL-encode special characters such as @ : / ? #).", answer, from(f))
	}
	return f.tr("The proxy answered CONNECT with %s: it wants credentials and the proxy URL%s has none. Put them in it: http://user:pass@host:port (URL-encode special characters).", answer, from(f))
}

// evidence closes a hint's sentence with what the differential saw.
func evidence(f HintFacts) string {
	if f.Evidence == "" {
		return f.tr(".")
	}
	return f.tr(": %s.", f.Evidence)
}

func orHost(f HintFacts, h string) string {
	if h == "" {
		return f.tr("the host")
	}
	return h
}

func hostPort(f HintFacts) string {
	if f.Host == "" {
		return f.tr("the host")
	}
	if f.Port == "" {
		return f.Host
	}
	return net.JoinHostPort(f.Host, f.Port)
}

func from(f HintFacts) string {
	src := f.ProxyFrom
	switch {
	case src == "" || src == "none":
		return ""
	case strings.HasPrefix(src, "env:"):
		return f.tr(" (from %s)", strings.TrimPrefix(src, "env:"))
	default:
		return f.tr(" (from %s)", src)
	}
}

func inResolver(r string) string {
	if r == "" || r == "system" {
		return ""
	}
	return " " + r
}

func statusText(f HintFacts) string {
	if f.Status == 0 {
		return f.tr("an error status")
	}
	return "HTTP " + strconv.Itoa(f.Status)
}

func isLoopbackHost(hostport string) bool {
	h := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		h = hh
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
