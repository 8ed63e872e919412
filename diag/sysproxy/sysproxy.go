// Package sysproxy reads the operating system's proxy settings — the ones
// browsers and Electron apps follow, and Go programs such as new-api do not:
// Windows WinINET ("Internet Options", written by Clash for Windows, Clash
// Verge, v2rayN in 系统代理 mode) and WinHTTP, macOS (scutil --proxy), GNOME
// (gsettings) and KDE (kioslaverc). The parsers are pure and platform
// independent so every OS's tests cover them; read_*.go do the reading.
package sysproxy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sources, as reported beside the environment's "env:HTTPS_PROXY".
const (
	SourceWinINET = "system:wininet"
	SourceWinHTTP = "system:winhttp"
	SourcePAC     = "system:pac"
	SourceMacOS   = "system:macos"
	SourceGNOME   = "system:gnome"
	SourceKDE     = "system:kde"
)

// Setting is one system proxy configuration.
type Setting struct {
	Source string `json:"source"`
	// Servers maps a target scheme ("http", "https", "socks") to the proxy's
	// host:port; "*" is the proxy for every scheme (WinINET's single form).
	Servers map[string]string `json:"servers,omitempty"`
	Bypass  []string          `json:"bypass,omitempty"`
	// PAC is an auto-config script URL (Source system:pac): its answer
	// depends on running the script, which new-api never does either.
	PAC string `json:"pac,omitempty"`
	// Error: the setting is present but unreadable (a malformed value).
	Error string `json:"error,omitempty"`
}

// For returns the proxy URL this setting gives target (nil: direct, or a
// PAC that is not evaluated). socks entries become socks5:// (Clash and
// v2rayN speak SOCKS5 on them).
func (s Setting) For(target *url.URL) *url.URL {
	if target == nil || len(s.Servers) == 0 || Bypassed(s.Bypass, target.Hostname()) {
		return nil
	}
	scheme := "http"
	hp := s.Servers[target.Scheme]
	if hp == "" {
		hp = s.Servers["*"]
	}
	if hp == "" {
		if hp = s.Servers["socks"]; hp != "" {
			scheme = "socks5"
		}
	}
	if hp == "" {
		return nil
	}
	if u, err := url.Parse(hp); err == nil && u.Scheme != "" && u.Host != "" {
		return u // a value written as a URL keeps its scheme
	}
	return &url.URL{Scheme: scheme, Host: hp}
}

// ParseProxyServer parses WinINET's ProxyServer: "host:port" (every
// scheme), or "http=h:p;https=h:p;ftp=h:p;socks=h:p" (per scheme; spaces
// too separate entries). Scheme prefixes like "http://h:p" are tolerated, as
// Windows tolerates them. An entry without a host is an error naming it.
func ParseProxyServer(v string) (map[string]string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, e := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ' ' || r == '\t' }) {
		key, hp := "*", e
		if k, rest, ok := strings.Cut(e, "="); ok {
			key, hp = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(rest)
		}
		if err := checkHostPort(hp); err != nil {
			return nil, fmt.Errorf("ProxyServer entry %q: %v", clip(e), err)
		}
		if _, dup := out[key]; !dup {
			out[key] = hp
		}
	}
	return out, nil
}

func checkHostPort(hp string) error {
	if u, err := url.Parse(hp); err == nil && u.Scheme != "" && u.Host != "" {
		hp = u.Host
	}
	if hp == "" {
		return errors.New("no host")
	}
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		// A bare host: WinINET uses port 80.
		host, port = hp, "80"
	}
	if host == "" || strings.ContainsAny(host, "/?#@ ") {
		return errors.New("no valid host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not 1-65535", clip(port))
	}
	return nil
}

// ParseBypass splits WinINET's ProxyOverride ("localhost;127.*;<local>").
func ParseBypass(v string) []string {
	var out []string
	for _, e := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' || r == ' ' }) {
		out = append(out, strings.ToLower(e))
	}
	return out
}

// Bypassed applies a bypass list the way WinINET does: shell-style wildcards
// ("*.example.com", "192.168.*"), "<local>" for names without a dot.
func Bypassed(list []string, host string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	for _, p := range list {
		switch {
		case p == "<local>":
			if !strings.Contains(host, ".") && !strings.Contains(host, ":") {
				return true
			}
		case strings.HasPrefix(p, "."): // GNOME/KDE/macOS style ".example.com"
			if strings.HasSuffix(host, p) || host == p[1:] {
				return true
			}
		default:
			if ok, _ := path.Match(p, host); ok {
				return true
			}
		}
	}
	return false
}

// WinHTTP settings (the binary WinHttpSettings value netsh winhttp writes):
// DWORD version/size, DWORD counter, DWORD flags, then length-prefixed
// proxy and bypass strings. Flag bits as in DefaultConnectionSettings.
const (
	winhttpFlagDirect = 0x1
	winhttpFlagProxy  = 0x2
)

// ParseWinHTTPSettings decodes WinHttpSettings. It returns a nil Setting
// for "Direct access (no proxy server)".
func ParseWinHTTPSettings(b []byte) (*Setting, error) {
	if len(b) < 12 {
		return nil, fmt.Errorf("WinHttpSettings: %d bytes, want at least 12", len(b))
	}
	flags := binary.LittleEndian.Uint32(b[8:12])
	rest := b[12:]
	str := func() (string, error) {
		if len(rest) < 4 {
			return "", errors.New("WinHttpSettings: truncated length")
		}
		n := binary.LittleEndian.Uint32(rest[:4])
		if uint64(n) > uint64(len(rest)-4) {
			return "", fmt.Errorf("WinHttpSettings: string of %d bytes in %d", n, len(rest)-4)
		}
		s := string(rest[4 : 4+n])
		rest = rest[4+n:]
		if !utf8.ValidString(s) {
			return "", errors.New("WinHttpSettings: string is not text")
		}
		return s, nil
	}
	proxy, err := str()
	if err != nil {
		return nil, err
	}
	bypass := ""
	if len(rest) > 0 {
		if bypass, err = str(); err != nil {
			return nil, err
		}
	}
	if flags&winhttpFlagProxy == 0 || proxy == "" {
		return nil, nil
	}
	servers, err := ParseProxyServer(proxy)
	if err != nil {
		return nil, err
	}
	return &Setting{Source: SourceWinHTTP, Servers: servers, Bypass: ParseBypass(bypass)}, nil
}

// EncodeWinHTTPSettings is the inverse, for tests that write the registry
// the way netsh winhttp set proxy does.
func EncodeWinHTTPSettings(proxy, bypass string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x28)
	b = binary.LittleEndian.AppendUint32(b, 0)
	flags := uint32(winhttpFlagDirect)
	if proxy != "" {
		flags |= winhttpFlagProxy
	}
	b = binary.LittleEndian.AppendUint32(b, flags)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(proxy)))
	b = append(b, proxy...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(bypass)))
	return append(b, bypass...)
}

// WinINET builds the WinINET settings from the registry values
// (ProxyEnable, ProxyServer, ProxyOverride, AutoConfigURL).
func WinINET(enable uint32, server, override, autoConfig string) ([]Setting, error) {
	var out []Setting
	if autoConfig = strings.TrimSpace(autoConfig); autoConfig != "" {
		out = append(out, Setting{Source: SourcePAC, PAC: autoConfig})
	}
	if enable == 0 {
		return out, nil
	}
	servers, err := ParseProxyServer(server)
	if err != nil || len(servers) == 0 {
		return out, err
	}
	return append(out, Setting{Source: SourceWinINET, Servers: servers, Bypass: ParseBypass(override)}), nil
}

// ParseScutil reads `scutil --proxy` (macOS): HTTPEnable/HTTPProxy/HTTPPort,
// HTTPS…, SOCKS…, ExceptionsList, ProxyAutoConfigEnable/URLString.
func ParseScutil(text string) []Setting {
	kv := map[string]string{}
	var exceptions []string
	inList := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if inList {
			if line == "}" {
				inList = false
			} else if _, v, ok := strings.Cut(line, " : "); ok {
				exceptions = append(exceptions, strings.ToLower(strings.TrimSpace(v)))
			}
			continue
		}
		k, v, ok := strings.Cut(line, " : ")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "ExceptionsList" && strings.HasPrefix(v, "<array>") {
			inList = true
			continue
		}
		kv[k] = v
	}
	var out []Setting
	if kv["ProxyAutoConfigEnable"] == "1" && kv["ProxyAutoConfigURLString"] != "" {
		out = append(out, Setting{Source: SourcePAC, PAC: kv["ProxyAutoConfigURLString"]})
	}
	servers := map[string]string{}
	for scheme, key := range map[string]string{"http": "HTTP", "https": "HTTPS", "socks": "SOCKS"} {
		if kv[key+"Enable"] == "1" && kv[key+"Proxy"] != "" {
			hp := net.JoinHostPort(kv[key+"Proxy"], kv[key+"Port"])
			if checkHostPort(hp) == nil {
				servers[scheme] = hp
			}
		}
	}
	if len(servers) > 0 {
		out = append(out, Setting{Source: SourceMacOS, Servers: servers, Bypass: exceptions})
	}
	return out
}

// ParseKioslaverc reads KDE's ~/.config/kioslaverc [Proxy Settings]:
// ProxyType=1 (manual) with httpProxy/httpsProxy/socksProxy written as
// "http://host port" or "host:port"; ProxyType=2 a PAC (Proxy Config Script).
func ParseKioslaverc(data string) []Setting {
	kv := map[string]string{}
	section := ""
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = line
			continue
		}
		if section != "[Proxy Settings]" {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	switch kv["ProxyType"] {
	case "2":
		if kv["Proxy Config Script"] != "" {
			return []Setting{{Source: SourcePAC, PAC: kv["Proxy Config Script"]}}
		}
	case "1":
		servers := map[string]string{}
		for scheme, key := range map[string]string{"http": "httpProxy", "https": "httpsProxy", "socks": "socksProxy"} {
			v := kv[key]
			if i := strings.Index(v, "://"); i >= 0 {
				v = v[i+3:]
			}
			if h, p, ok := strings.Cut(v, " "); ok { // "host port"
				v = net.JoinHostPort(h, strings.TrimSpace(p))
			}
			if v != "" && checkHostPort(v) == nil {
				servers[scheme] = v
			}
		}
		if len(servers) > 0 {
			return []Setting{{Source: SourceKDE, Servers: servers, Bypass: ParseBypass(kv["NoProxyFor"])}}
		}
	}
	return nil
}

// GNOME builds the GNOME setting from gsettings values (org.gnome.system.proxy
// mode, and host/port per scheme), quotes already stripped.
func GNOME(mode, autoURL string, hosts, ports map[string]string, ignore []string) []Setting {
	switch mode {
	case "auto":
		if autoURL != "" {
			return []Setting{{Source: SourcePAC, PAC: autoURL}}
		}
	case "manual":
		servers := map[string]string{}
		for scheme, h := range hosts {
			if h == "" || ports[scheme] == "" || ports[scheme] == "0" {
				continue
			}
			if hp := net.JoinHostPort(h, ports[scheme]); checkHostPort(hp) == nil {
				servers[scheme] = hp
			}
		}
		if len(servers) > 0 {
			return []Setting{{Source: SourceGNOME, Servers: servers, Bypass: ignore}}
		}
	}
	return nil
}

// ParseGVariantStrings reads a gsettings string or string-array value:
// "'manual'" → [manual]; "['localhost', '127.0.0.0/8']" → both.
func ParseGVariantStrings(v string) []string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "@as ")
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	var out []string
	for _, e := range strings.Split(v, ",") {
		e = strings.Trim(strings.TrimSpace(e), `'"`)
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
