package diag

import (
	"context"
	"fmt"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"net/url"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag/sysproxy"
)

// systemProxies lists the OS proxy settings as they apply to target, and
// returns the first one that names a proxy for it (the one to probe).
func systemProxies(settings []sysproxy.Setting, target *url.URL) ([]SystemProxyInfo, *url.URL, int) {
	var out []SystemProxyInfo
	var first *url.URL
	at := -1
	for _, s := range settings {
		si := SystemProxyInfo{Source: s.Source, PAC: s.PAC, Error: s.Error}
		if u := s.For(target); u != nil {
			si.URL = u.Redacted()
			if first == nil {
				first, at = u, len(out)
			}
		}
		out = append(out, si)
	}
	return out, first, at
}

// reachedUpstream: the verdict came from the upstream's own answer (any
// HTTP status), so the path itself works.
func reachedUpstream(r EndpointResult) bool {
	switch r.Category {
	case CatOK, CatAuth, CatOverloaded, CatHTTP:
		return r.Cause != CauseInterrupted && r.Cause != CauseDeadline && r.Cause != CauseInternalError
	}
	return false
}

// withSystemProxy reports the OS proxy beside new-api's and, when new-api's
// own path (direct or the environment's proxy) failed, probes the system
// proxy: if it gets through, the verdict says so with the fix, since that is
// the "works in the browser, fails in new-api" case.
func withSystemProxy(ctx context.Context, ep Endpoint, o RunOptions, res *EndpointResult) {
	if len(o.SystemProxies) == 0 || strings.TrimSpace(ep.Proxy) != "" {
		return // a channel proxy (or "direct") is what new-api uses: the OS's plays no part
	}
	target, err := ProbeURL(ep)
	if err != nil {
		return
	}
	infos, sys, at := systemProxies(o.SystemProxies, target)
	res.Proxy.System = infos
	if sys == nil || res.Proxy.URL == sys.Redacted() || reachedUpstream(*res) {
		return
	}
	ep2 := ep
	ep2.Proxy = sys.String()
	o2 := o
	o2.SystemProxies, o2.PathProbe, o2.Retries = nil, nil, 0
	r2 := CheckEndpoint(ctx, ep2, o2)
	works := reachedUpstream(r2)
	res.Proxy.System[at].Works = &works
	res.Proxy.System[at].Verdict = string(r2.Category) + "/" + string(r2.Cause)
	if !works {
		res.Notes = append(res.Notes, i18n.Default().Sprintf("the system proxy %s (%s) fails too: %s", sys.Redacted(), infos[at].Source, r2.Message))
		return
	}
	l := i18n.Default()
	path, said := "connects directly", l.T("connects directly")
	if strings.HasPrefix(res.Proxy.Source, proxySourceEnv) {
		path = "uses " + strings.TrimPrefix(res.Proxy.Source, proxySourceEnv) + " (" + res.Proxy.URL + ")"
		said = l.Sprintf("uses %s", strings.TrimPrefix(path, "uses "))
	}
	res.Notes = append(res.Notes, l.Sprintf("new-api's own path (%s) gives %s/%s: %s", said, res.Category, res.Cause, res.Message))
	res.Message = l.Sprintf("new-api %s and that fails (%s/%s), but the system proxy %s (%s) reaches the upstream: new-api does not use the system proxy",
		said, res.Category, res.Cause, sys.Redacted(), infos[at].Source)
	res.Cause = ClassifySignal(Signal{SystemProxyWorks: true})
	res.Category = res.Cause.Category()
	res.Hint = HintFor(res.Cause, HintFacts{Host: target.Hostname(), SystemProxy: sys.Redacted(), SystemProxyFrom: infos[at].Source, NewAPIPath: path})
}

func systemProxyHint(f HintFacts) string {
	p := f.SystemProxy
	if p == "" {
		p = "http://127.0.0.1:7890"
	}
	what := f.tr("The system proxy %s", p)
	if f.SystemProxyFrom != "" {
		what = f.tr("The system proxy %s (%s)", p, f.SystemProxyFrom)
	}
	path := f.NewAPIPath
	if path == "" {
		path = "connects directly"
	}
	if env, ok := strings.CutPrefix(path, "uses "); ok {
		path = f.tr("uses %s", env)
	} else {
		path = f.Lang.T(path)
	}
	switch hintOS {
	case "windows":
		return f.tr("%s works, but new-api (a Go program) ignores the Windows system proxy that browsers and Clash/v2rayN's 系统代理 mode use: it %s. "+
			"Fix: run `setx HTTPS_PROXY %s` (and `setx HTTP_PROXY %s` for http:// upstreams), then restart new-api — quit the desktop app from the tray, or open a new console: setx reaches new processes only. "+
			"Or set %s as the channel's proxy in new-api (渠道 → 代理).", what, path, p, p, p)
	case "darwin":
		return f.tr("%s works, but new-api (a Go program) ignores the macOS system proxy that browsers use: it %s. "+
			"Fix: start new-api with HTTPS_PROXY=%s in its environment (export it in the shell, or `launchctl setenv HTTPS_PROXY %s` for apps started by launchd), then restart it; or set %s as the channel's proxy.", what, path, p, p, p)
	}
	return f.tr("%s works, but new-api (a Go program) ignores the desktop's proxy settings that browsers use: it %s. "+
		"Fix: give new-api HTTPS_PROXY=%s in its environment (systemd: Environment=HTTPS_PROXY=%s; Docker: -e HTTPS_PROXY=%s, with an address the container can reach), then restart it; or set %s as the channel's proxy.", what, path, p, p, p, p)
}

// Line describes one system proxy for people: "http://127.0.0.1:7890
// (system:wininet): works", naming what new-api does with it.
func (s SystemProxyInfo) Line() string {
	switch {
	case s.Error != "":
		return fmt.Sprintf("(%s) unreadable: %s", s.Source, s.Error)
	case s.PAC != "":
		return fmt.Sprintf("PAC script %s (%s): browsers run it, new-api never does", s.PAC, s.Source)
	case s.URL == "":
		return fmt.Sprintf("(%s) bypassed for this host", s.Source)
	}
	l := fmt.Sprintf("%s (%s), not used by new-api", s.URL, s.Source)
	if s.Works != nil && *s.Works {
		l += ": works through it"
	} else if s.Works != nil {
		l += ": fails too (" + s.Verdict + ")"
	}
	return l
}
