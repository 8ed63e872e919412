package sysenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestProxyFromEnv(t *testing.T) {
	cases := []struct {
		name              string
		env               map[string]string
		httpsVia, httpVia string
		noProxy           string
		noteHas           string
		mustNotContain    string
	}{
		{"upper wins", map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "https_proxy": "http://127.0.0.1:1"}, "HTTPS_PROXY", "", "", "differ", ""},
		{"lower only", map[string]string{"https_proxy": "http://p:1", "http_proxy": "http://p:2"}, "https_proxy", "http_proxy", "", "", ""},
		{"credentials stripped", map[string]string{"HTTPS_PROXY": "http://alice:hunter22@proxy.corp.example:3128"}, "HTTPS_PROXY", "", "", "", "hunter22"},
		{"all_proxy ignored", map[string]string{"ALL_PROXY": "socks5://u:pw1234@p:1080"}, "", "", "", "do not read it", "pw1234"},
		{"cgi", map[string]string{"HTTP_PROXY": "http://p:1", "REQUEST_METHOD": "GET"}, "", "", "", "CGI", ""},
		{"no_proxy", map[string]string{"no_proxy": "localhost,.corp"}, "", "", "localhost,.corp", "", ""},
		{"none", map[string]string{}, "", "", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := ProxyFromEnv(envOf(tc.env))
			if p.HTTPSVia != tc.httpsVia || p.HTTPVia != tc.httpVia || p.NoProxy != tc.noProxy {
				t.Errorf("got https=%q http=%q no=%q", p.HTTPSVia, p.HTTPVia, p.NoProxy)
			}
			notes := strings.Join(p.Notes, "\n")
			if tc.noteHas != "" && !strings.Contains(notes, tc.noteHas) {
				t.Errorf("notes %q lack %q", notes, tc.noteHas)
			}
			for k, v := range p.Variables {
				if tc.mustNotContain != "" && strings.Contains(v, tc.mustNotContain) {
					t.Errorf("%s=%q keeps the password", k, v)
				}
			}
			if len(p.Variables) != len(tc.env)-boolInt(tc.env["REQUEST_METHOD"] != "") {
				t.Errorf("variables %v", p.Variables)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestStripCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"http://u:p@h:1":        "http://[REDACTED]@h:1",
		"socks5h://user@h:1080": "socks5h://[REDACTED]@h:1080",
		"http://h:1":            "http://h:1",
		"u:p@h:1":               "[REDACTED]@h:1",
		"http://u:p%zz@h:1":     "http://[REDACTED]@h:1",
		"127.0.0.1:7890":        "127.0.0.1:7890",
	} {
		if got := StripCredentials(in); got != want {
			t.Errorf("StripCredentials(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseResolvConf(t *testing.T) {
	cases := []struct {
		name, in string
		servers  []string
		search   []string
		stub     bool
	}{
		{"systemd stub", "# managed\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch corp.example\n", []string{"127.0.0.53"}, []string{"corp.example"}, true},
		{"docker", "nameserver 127.0.0.11\noptions ndots:0", []string{"127.0.0.11"}, nil, true},
		{"real", "nameserver 10.0.0.2 ; comment\nnameserver 2001:db8::53\ndomain lan", []string{"10.0.0.2", "2001:db8::53"}, []string{"lan"}, false},
		{"empty", "", nil, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := ParseResolvConf([]byte(tc.in))
			if strings.Join(d.Servers, ",") != strings.Join(tc.servers, ",") || strings.Join(d.Search, ",") != strings.Join(tc.search, ",") || d.StubLocal != tc.stub {
				t.Errorf("got %+v", d)
			}
		})
	}
}

func FuzzParseResolvConf(f *testing.F) {
	f.Add([]byte("nameserver 127.0.0.53\nsearch a b\noptions x"))
	f.Add([]byte("nameserver\n#\n;;\nnameserver ::1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := ParseResolvConf(b)
		for _, s := range d.Servers {
			if s == "" || strings.ContainsAny(s, " \t\n") {
				t.Fatalf("bad server %q", s)
			}
		}
	})
}

func TestSkew(t *testing.T) {
	server := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	date := server.Format(http.TimeFormat)
	cases := []struct {
		name    string
		local   time.Time
		unc     time.Duration
		verdict string
		sign    int
	}{
		{"in sync", server.Add(300 * time.Millisecond), 0, "ok", 1},
		{"local ahead", server.Add(5 * time.Minute), time.Second, "skewed", 1},
		{"local behind", server.Add(-2 * time.Hour), 0, "skewed", -1},
		{"too uncertain to judge", server.Add(70 * time.Second), 30 * time.Second, "ok", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Skew(ClockInput{Upstream: "x", Date: date, ReceivedAt: tc.local, Uncertainty: tc.unc})
			if err != nil {
				t.Fatal(err)
			}
			if c.Verdict != tc.verdict || (c.SkewSeconds > 0) != (tc.sign > 0) {
				t.Errorf("got %+v", c)
			}
			if want := tc.local.Sub(server).Seconds(); c.SkewSeconds != want {
				t.Errorf("skew %v want %v", c.SkewSeconds, want)
			}
		})
	}
	if _, err := Skew(ClockInput{Upstream: "up", Date: "yesterday"}); err == nil || !strings.Contains(err.Error(), "yesterday") && !strings.Contains(err.Error(), "up") {
		t.Errorf("bad date accepted: %v", err)
	}
}

func TestClockFromReport(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := start.Add(1500 * time.Millisecond)
	cases := []struct {
		name     string
		layers   [][]diag.LayerResult
		upstream string
		received time.Time
		unc      time.Duration
	}{
		{"received_at wins", [][]diag.LayerResult{
			{{Layer: diag.LayerHTTP, Detail: map[string]string{"date": "Fri, 02 Jan 2026 03:04:09 GMT"}}},
			{{Layer: diag.LayerHTTP, Detail: map[string]string{"date": "Fri, 02 Jan 2026 03:04:06 GMT", "received_at": at.Format(time.RFC3339Nano)}}},
		}, "e1", at, 0},
		{"midpoint of the run", [][]diag.LayerResult{
			{{Layer: diag.LayerTCP}},
			{{Layer: diag.LayerHTTP, Detail: map[string]string{"date": "Fri, 02 Jan 2026 03:04:09 GMT"}}},
		}, "e1", start.Add(2 * time.Second), 2 * time.Second},
		{"no date", [][]diag.LayerResult{{{Layer: diag.LayerHTTP, Detail: map[string]string{"status": "200"}}}}, "", time.Time{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := &diag.Report{StartedAt: start, DurationMS: 4000}
			for i, ls := range tc.layers {
				rep.Endpoints = append(rep.Endpoints, diag.EndpointResult{Name: fmt.Sprintf("e%d", i), Layers: ls})
			}
			c := ClockFromReport(rep)
			if tc.upstream == "" {
				if c != nil {
					t.Errorf("got %+v", c)
				}
				return
			}
			if c == nil || c.Upstream != tc.upstream || !c.ReceivedAt.Equal(tc.received) || c.Uncertainty != tc.unc {
				t.Errorf("got %+v", c)
			}
		})
	}
	if ClockFromReport(nil) != nil {
		t.Error("clock from a nil report")
	}
}

func TestNewAPIVersion(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		body      string
		reachable bool
		version   string
		errHas    string
	}{
		{"new-api", 200, `{"success":true,"data":{"version":"v0.9.1","system_name":"New API"}}`, true, "v0.9.1", ""},
		{"not new-api", 200, `<html>`, true, "", "not like"},
		{"error status", 502, `bad gateway`, true, "", "502"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/api/status" {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			st := NewAPIVersion(context.Background(), srv.Client(), srv.URL)
			if st.Reachable != tc.reachable || st.Version != tc.version || !strings.Contains(st.Error, tc.errHas) {
				t.Errorf("got %+v", st)
			}
		})
	}
	t.Run("nothing listens", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		st := NewAPIVersion(context.Background(), nil, "http://"+addr)
		if st.Reachable || st.Error == "" {
			t.Errorf("got %+v", st)
		}
	})
}

func TestCollectInjected(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	files := map[string]string{"/etc/resolv.conf": "nameserver 10.0.0.2\n"}
	in := Inputs{
		Getenv: envOf(map[string]string{"HTTPS_PROXY": "http://u:pw@p.corp:3128"}),
		ReadFile: func(p string) ([]byte, error) {
			if s, ok := files[p]; ok {
				return []byte(s), nil
			}
			return nil, errors.New("no " + p)
		},
		Now: func() time.Time { return now },
		InterfaceAddrs: func() ([]net.Addr, error) {
			return []net.Addr{&net.IPNet{IP: net.ParseIP("2001:db8::5")}, &net.IPNet{IP: net.ParseIP("fe80::1")}}, nil
		},
		Platform: func(*Inputs) PlatformFacts {
			yes := true
			return PlatformFacts{Kernel: "6.1.0-test", DefaultRoute: &Route{Interface: "eth9"}, IPv6Route: &yes}
		},
		Clock:         &ClockInput{Upstream: "openai", Date: now.Add(-3 * time.Minute).Format(http.TimeFormat), ReceivedAt: now},
		NewAPIURL:     "-",
		DoctorVersion: "v9.9.9",
	}
	e := Collect(context.Background(), in)
	if e.Kernel != "6.1.0-test" || e.DefaultRoute.Interface != "eth9" || !e.IPv6.Available || e.DoctorVersion != "v9.9.9" {
		t.Errorf("facts %+v", e)
	}
	if len(e.DNS.Servers) != 1 || e.DNS.Source != "/etc/resolv.conf" {
		t.Errorf("dns %+v", e.DNS)
	}
	if e.Clock == nil || e.Clock.Verdict != "skewed" || e.Clock.SkewSeconds != 180 {
		t.Errorf("clock %+v", e.Clock)
	}
	if e.NewAPI != nil {
		t.Errorf("asked new-api despite \"-\": %+v", e.NewAPI)
	}
	if strings.Contains(e.Proxy.Variables["HTTPS_PROXY"], "pw") {
		t.Errorf("proxy password kept: %v", e.Proxy.Variables)
	}
	in.InterfaceAddrs = func() ([]net.Addr, error) { return nil, errors.New("denied") }
	in.ReadFile = func(string) ([]byte, error) { return nil, errors.New("denied") }
	e = Collect(context.Background(), in)
	if e.IPv6.Available || len(e.Unknown) < 2 {
		t.Errorf("unknowns not listed: %+v", e)
	}
}
