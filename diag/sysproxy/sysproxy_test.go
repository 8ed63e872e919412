package sysproxy

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParseProxyServer(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr string
	}{
		{"", nil, ""},
		{"127.0.0.1:7890", map[string]string{"*": "127.0.0.1:7890"}, ""},
		{"http=127.0.0.1:7890;https=127.0.0.1:7890;socks=127.0.0.1:7891", map[string]string{"http": "127.0.0.1:7890", "https": "127.0.0.1:7890", "socks": "127.0.0.1:7891"}, ""},
		{" HTTPS=proxy.corp.example:8080 ; ftp=f:21 ", map[string]string{"https": "proxy.corp.example:8080", "ftp": "f:21"}, ""},
		{"http://127.0.0.1:10809", map[string]string{"*": "http://127.0.0.1:10809"}, ""},
		{"proxy.corp.example", map[string]string{"*": "proxy.corp.example"}, ""}, // port 80
		{"[::1]:7890", map[string]string{"*": "[::1]:7890"}, ""},
		{"https=;http=h:1", nil, `"https="`},
		{"127.0.0.1:99999", nil, "not 1-65535"},
		{"socks=h:x", nil, `port "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseProxyServer(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v %v, want %v", got, err, tt.want)
			}
		})
	}
}

func FuzzParseProxyServer(f *testing.F) {
	for _, s := range []string{"127.0.0.1:7890", "http=a:1;https=b:2;socks=c:3", "http://h:1", "=;=", "[::1]:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseProxyServer(s)
		if err != nil {
			return
		}
		st := Setting{Servers: m}
		for _, scheme := range []string{"http", "https"} {
			u := st.For(&url.URL{Scheme: scheme, Host: "api.openai.com"})
			if u != nil && (u.Host == "" || u.Scheme == "") {
				t.Fatalf("%q gives %v for %s", s, u, scheme)
			}
		}
	})
}

func TestSettingFor(t *testing.T) {
	https := &url.URL{Scheme: "https", Host: "api.openai.com"}
	tests := []struct {
		name string
		s    Setting
		tgt  *url.URL
		want string
	}{
		{"single form", Setting{Servers: map[string]string{"*": "127.0.0.1:7890"}}, https, "http://127.0.0.1:7890"},
		{"per scheme", Setting{Servers: map[string]string{"http": "a:1", "https": "b:2"}}, https, "http://b:2"},
		{"socks only", Setting{Servers: map[string]string{"socks": "127.0.0.1:7891"}}, https, "socks5://127.0.0.1:7891"},
		{"http only, https target", Setting{Servers: map[string]string{"http": "a:1"}}, https, ""},
		{"url form", Setting{Servers: map[string]string{"*": "socks5://127.0.0.1:1080"}}, https, "socks5://127.0.0.1:1080"},
		{"bypassed", Setting{Servers: map[string]string{"*": "a:1"}, Bypass: ParseBypass("localhost;*.openai.com;<local>")}, https, ""},
		{"local bypass", Setting{Servers: map[string]string{"*": "a:1"}, Bypass: []string{"<local>"}}, &url.URL{Scheme: "http", Host: "newapi:3000"}, ""},
		{"pac only", Setting{PAC: "http://127.0.0.1/pac"}, https, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if u := tt.s.For(tt.tgt); u != nil {
				got = u.String()
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBypassed(t *testing.T) {
	list := ParseBypass("localhost;127.*;10.*;*.corp.example;<local>; .internal")
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "10.1.2.3": true, "api.corp.example": true, "newapi": true,
		"db.internal": true, "api.openai.com": false, "corp.example.com": false, "[::1]": false,
	} {
		if got := Bypassed(list, host); got != want {
			t.Errorf("Bypassed(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestWinHTTPSettings(t *testing.T) {
	s, err := ParseWinHTTPSettings(EncodeWinHTTPSettings("http=127.0.0.1:7890;https=127.0.0.1:7890", "<local>"))
	if err != nil || s == nil || s.Source != SourceWinHTTP || s.Servers["https"] != "127.0.0.1:7890" || !reflect.DeepEqual(s.Bypass, []string{"<local>"}) {
		t.Fatalf("%+v %v", s, err)
	}
	// "netsh winhttp reset proxy": direct, flags 1, empty strings.
	if s, err := ParseWinHTTPSettings(EncodeWinHTTPSettings("", "")); s != nil || err != nil {
		t.Fatalf("direct: %+v %v", s, err)
	}
	// The value netsh writes for direct access on a fresh Windows.
	direct := []byte{0x18, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if s, err := ParseWinHTTPSettings(direct); s != nil || err != nil {
		t.Fatalf("fresh direct: %+v %v", s, err)
	}
	bad := EncodeWinHTTPSettings("h:1", "")
	bad[12] = 0xff
	for name, b := range map[string][]byte{"short": {1, 2}, "length past the end": bad, "truncated length": direct[:14]} {
		if _, err := ParseWinHTTPSettings(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func FuzzParseWinHTTPSettings(f *testing.F) {
	f.Add(EncodeWinHTTPSettings("127.0.0.1:7890", "<local>"))
	f.Add([]byte{0x18, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseWinHTTPSettings(b)
		if err == nil && s != nil && len(s.Servers) == 0 {
			t.Fatalf("a proxy setting without servers: %+v", s)
		}
	})
}

func TestWinINET(t *testing.T) {
	got, err := WinINET(1, "127.0.0.1:7890", "localhost;<local>", "http://127.0.0.1:33331/pac")
	if err != nil || len(got) != 2 || got[0].Source != SourcePAC || got[1].Source != SourceWinINET || got[1].Servers["*"] != "127.0.0.1:7890" {
		t.Fatalf("%+v %v", got, err)
	}
	if got, _ := WinINET(0, "127.0.0.1:7890", "", ""); len(got) != 0 {
		t.Fatalf("ProxyEnable=0 still gave %+v", got)
	}
	if _, err := WinINET(1, "http=:1", "", ""); err == nil || !strings.Contains(err.Error(), "ProxyServer") {
		t.Fatalf("malformed ProxyServer: %v", err)
	}
}

func TestParseScutil(t *testing.T) {
	out := `<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
  }
  FTPPassive : 1
  HTTPEnable : 1
  HTTPPort : 7890
  HTTPProxy : 127.0.0.1
  HTTPSEnable : 1
  HTTPSPort : 7890
  HTTPSProxy : 127.0.0.1
  ProxyAutoConfigEnable : 0
  SOCKSEnable : 1
  SOCKSPort : 7891
  SOCKSProxy : 127.0.0.1
}`
	got := ParseScutil(out)
	if len(got) != 1 || got[0].Source != SourceMacOS || got[0].Servers["https"] != "127.0.0.1:7890" || got[0].Servers["socks"] != "127.0.0.1:7891" || !reflect.DeepEqual(got[0].Bypass, []string{"*.local", "169.254/16"}) {
		t.Fatalf("%+v", got)
	}
	pac := ParseScutil("<dictionary> {\n  ProxyAutoConfigEnable : 1\n  ProxyAutoConfigURLString : http://127.0.0.1:7890/pac\n}")
	if len(pac) != 1 || pac[0].Source != SourcePAC || pac[0].PAC != "http://127.0.0.1:7890/pac" {
		t.Fatalf("pac: %+v", pac)
	}
	if off := ParseScutil("<dictionary> {\n  HTTPEnable : 0\n  HTTPProxy : 127.0.0.1\n  HTTPPort : 1\n}"); len(off) != 0 {
		t.Fatalf("disabled: %+v", off)
	}
}

func TestParseKioslaverc(t *testing.T) {
	rc := "[$Version]\nupdate_info=kioslave.upd:kde4.4\n\n[Proxy Settings]\nNoProxyFor=localhost,127.0.0.1\nProxyType=1\nhttpProxy=http://127.0.0.1 7890\nhttpsProxy=http://127.0.0.1 7890\nsocksProxy=socks://127.0.0.1 7891\n"
	got := ParseKioslaverc(rc)
	if len(got) != 1 || got[0].Source != SourceKDE || got[0].Servers["https"] != "127.0.0.1:7890" || got[0].Servers["socks"] != "127.0.0.1:7891" || !Bypassed(got[0].Bypass, "127.0.0.1") {
		t.Fatalf("%+v", got)
	}
	if none := ParseKioslaverc(strings.Replace(rc, "ProxyType=1", "ProxyType=0", 1)); len(none) != 0 {
		t.Fatalf("ProxyType=0: %+v", none)
	}
}

func TestGNOME(t *testing.T) {
	hosts := map[string]string{"https": "127.0.0.1", "http": "127.0.0.1", "socks": ""}
	ports := map[string]string{"https": "7890", "http": "7890", "socks": "0"}
	got := GNOME("manual", "", hosts, ports, ParseGVariantStrings("['localhost', '127.0.0.0/8', '::1']"))
	if len(got) != 1 || got[0].Source != SourceGNOME || got[0].Servers["https"] != "127.0.0.1:7890" || len(got[0].Servers) != 2 || len(got[0].Bypass) != 3 {
		t.Fatalf("%+v", got)
	}
	if p := GNOME("auto", "http://wpad/wpad.dat", nil, nil, nil); len(p) != 1 || p[0].Source != SourcePAC {
		t.Fatalf("auto: %+v", p)
	}
	if n := GNOME("none", "", hosts, ports, nil); n != nil {
		t.Fatalf("none: %+v", n)
	}
	if v := ParseGVariantStrings("'manual'\n"); !reflect.DeepEqual(v, []string{"manual"}) {
		t.Fatalf("%q", v)
	}
}
