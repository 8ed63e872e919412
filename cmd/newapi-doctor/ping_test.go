package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"runtime"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

func runPathCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Getenv: func(string) string { return "" }, Version: "test"}
	code := Execute(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func TestPathCommandsBadInput(t *testing.T) {
	cases := [][]string{
		{"ping"},
		{"ping", "a", "b"},
		{"ping", "bad host!"},
		{"ping", "127.0.0.1", "--count", "0"},
		{"ping", "127.0.0.1", "-4", "-6"},
		{"ping", "127.0.0.1", "--format", "junit"},
		{"trace"},
		{"trace", "127.0.0.1", "--max-hops", "65"},
		{"trace", "127.0.0.1", "--probes", "0"},
		{"trace", "127.0.0.1", "--port", "70000"},
		{"trace", "127.0.0.1", "--method", "pigeon"},
		{"trace", "http://", "--method", "udp"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, errOut := runPathCmd(t, args...)
			if code != ExitUsage || errOut == "" {
				t.Fatalf("exit %d (stderr %q), want %d with a message", code, errOut, ExitUsage)
			}
		})
	}
}

func TestTraceCommandLoopback(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	cases := []struct {
		name   string
		args   []string
		method string
	}{
		{"udp", []string{"trace", "127.0.0.1", "--method", "udp", "--format", "json"}, "udp"},
		{"tcp via --port", []string{"trace", "http://127.0.0.1/v1", "--port", itoa(port), "--format", "json"}, "tcp"},
	}
	if runtime.GOOS == "windows" {
		// Windows has no IP_RECVERR: udp and tcp say so and name the icmp
		// method, which works unprivileged there (iphlpapi, as tracert).
		cases = append(cases, struct {
			name   string
			args   []string
			method string
		}{"icmp", []string{"trace", "127.0.0.1", "--format", "json"}, "icmp"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runPathCmd(t, c.args...)
			var r probe.TraceResult
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("bad JSON %v: %s (stderr %s)", err, out, errOut)
			}
			if runtime.GOOS == "windows" && c.method != "icmp" {
				if !r.Skipped || !strings.Contains(r.SkipReason, "needs Linux") || !strings.Contains(r.Fix, "--method icmp") {
					t.Fatalf("exit %d %+v: want skipped, naming Linux and --method icmp", code, r)
				}
				return
			}
			if code != ExitOK || r.End != probe.TraceReached || r.Method != c.method || len(r.Hops) != 1 {
				t.Fatalf("exit %d end %q method %q hops %d, want 0 reached via %s", code, r.End, r.Method, len(r.Hops), c.method)
			}
		})
	}
}

func TestPingCommandSkippedOrReplies(t *testing.T) {
	code, out, _ := runPathCmd(t, "ping", "127.0.0.1", "--count", "1", "--interval", "10ms")
	p := probe.DetectPrivileges()
	switch {
	case p.Raw || p.PingSocket || runtime.GOOS == "windows": // Windows: iphlpapi, unprivileged
		if code != ExitOK || !strings.Contains(out, "1 received") {
			t.Fatalf("exit %d, output %q: want a reply", code, out)
		}
	default:
		if code != ExitOK || !strings.Contains(out, "skipped") || !strings.Contains(out, "fix:") {
			t.Fatalf("exit %d, output %q: want skipped with a fix", code, out)
		}
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func FuzzPathHost(f *testing.F) {
	for _, s := range []string{"api.openai.com", "203.0.113.10", "::1", "[2001:db8::1]", "https://api.x.ai/v1", "http://", "bad host!", "-rf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := pathHost([]string{s})
		if err == nil && (h == "" || strings.ContainsAny(h, " /\t\n") || strings.HasPrefix(h, "-")) {
			t.Fatalf("pathHost(%q) = %q accepted", s, h)
		}
	})
}
