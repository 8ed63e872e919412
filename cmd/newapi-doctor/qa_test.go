package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// runInProcess runs the root command with empty environment and stdin.
func runInProcess(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runInProcessDNS(t, nil, args...)
}

// runInProcessDNS is runInProcess with --resolver reached through dial (a
// DNS fake's Dial: TCP under wine).
func runInProcessDNS(t *testing.T, dial func(context.Context, string, string) (net.Conn, error), args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Getenv: func(string) string { return "" }, Version: "t", DNSDial: dial}
	code := Execute(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

// TestHelpIsPrintable: every command's --help is plain text (a NUL sentinel
// once leaked into check's --from-db default and made grep call it binary).
func TestHelpIsPrintable(t *testing.T) {
	for _, cmd := range []string{"", "check", "bundle", "serve", "dns", "tcp", "tls", "http", "proxy", "ping", "trace", "explain"} {
		t.Run(cmd, func(t *testing.T) {
			args := append(strings.Fields(cmd), "--help")
			code, out, errOut := runInProcess(t, args...)
			if code != 0 || !strings.Contains(out, "Usage:") {
				t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
			}
			for i, r := range out {
				if r < 0x20 && r != '\n' && r != '\t' {
					t.Fatalf("control character %U at %d in %q", r, i, out[max(0, i-40):min(len(out), i+40)])
				}
			}
		})
	}
}

// TestConfigErrorsNameTheKey: a bad value's message names the key in clear,
// through the redactor (timeouts.dns once looked like a host and became host-…).
func TestConfigErrorsNameTheKey(t *testing.T) {
	for _, key := range []string{"dns", "connect", "tls", "http"} {
		t.Run(key, func(t *testing.T) {
			path := testenv.TempDir(t) + "/c.yaml"
			if err := writeFile(path, "endpoints:\n  - name: a\n    url: http://127.0.0.1:1\ntimeouts: {"+key+": -3s}\n"); err != nil {
				t.Fatal(err)
			}
			code, _, errOut := runInProcess(t, "check", "--config", path)
			if code != ExitUsage || !strings.Contains(errOut, "c.yaml:4:") || !strings.Contains(errOut, "timeouts."+key+" must be") {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
		})
	}
}

// TestLayerCommandsRejectBadNames: names Go's resolver refuses unasked were
// reported as NXDOMAIN with "your resolver lies"; they are bad input (exit 2).
func TestLayerCommandsRejectBadNames(t *testing.T) {
	for _, args := range [][]string{
		{"dns", "-"}, {"dns", "a..b"}, {"dns", "127.1"}, {"dns", strings.Repeat("a", 64) + ".test"},
		{"tcp", "a..b:443"}, {"tls", "a-.b:443"}, {"check", "https://-/v1"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runInProcess(t, append(args, "--resolver", "127.0.0.1:1")...)
			if code != ExitUsage || out != "" || !strings.Contains(errOut, "host") {
				t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
			}
		})
	}
}

// TestDNSResolverUnreachableCause: --resolver pointing at a closed port is
// resolver-unreachable (was dns-error with a hint about /etc/resolv.conf).
func TestDNSResolverUnreachableCause(t *testing.T) {
	testenv.SkipOnWine(t, testenv.GapUDP)
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := pc.LocalAddr().String()
	pc.Close()
	for _, args := range [][]string{{"dns", "relay.example.test"}, {"check", "https://relay.example.test/v1"}} {
		t.Run(args[0], func(t *testing.T) {
			code, out, errOut := runInProcess(t, append(args, "--resolver", server, "--format", "json")...)
			if code != ExitFailure || !strings.Contains(out, `"cause": "resolver-unreachable"`) {
				t.Fatalf("exit %d, out %s, err %q", code, out, errOut)
			}
		})
	}
}

// TestProbeCommandsRefuseFormatFirst: a format a command cannot write is
// refused before anything is probed (dns/tcp/tls probed first, so a bad
// --format cost a full timeout before the usage error).
func TestProbeCommandsRefuseFormatFirst(t *testing.T) {
	srv := pt.NewInProcessDNSServer(t)
	srv.Set("relay.example.test.", pt.Answer{A: []string{"127.0.0.1"}})
	for _, args := range [][]string{
		{"dns", "relay.example.test"}, {"tcp", "relay.example.test:1"}, {"tls", "relay.example.test:1"},
	} {
		for _, format := range []string{"junit", "markdown", "github"} {
			t.Run(args[0]+"/"+format, func(t *testing.T) {
				before := srv.Queries("relay.example.test.")
				code, out, errOut := runInProcessDNS(t, srv.Dial, append(args, "--resolver", srv.Addr, "--format", format)...)
				if code != ExitUsage || out != "" || !strings.Contains(errOut, format) {
					t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
				}
				if n := srv.Queries("relay.example.test.") - before; n != 0 {
					t.Fatalf("%d DNS queries before the usage error", n)
				}
			})
		}
	}
}

// TestEmptySourceFlags: "--from-api=$UNSET" was ignored and the embedded
// provider list checked instead; an explicitly empty source is bad input.
func TestEmptySourceFlags(t *testing.T) {
	for _, cmd := range []string{"check", "bundle", "serve"} {
		for _, flag := range []string{"--from-api=", "--config=", "--from-db= ", "--resolver="} {
			t.Run(cmd+" "+flag, func(t *testing.T) {
				code, out, errOut := runInProcess(t, cmd, flag, "--format", "json")
				name := strings.TrimSuffix(strings.TrimSpace(flag), "=")
				if code != ExitUsage || out != "" || !strings.Contains(errOut, name+": empty value") {
					t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
				}
			})
		}
	}
}

// TestRedactionMapWriteErrorIsSaid: a map that cannot be written is reported
// also when endpoints failed (it was only said on an all-ok run).
func TestRedactionMapWriteErrorIsSaid(t *testing.T) {
	closed := pt.ClosedPort(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"failing run", []string{"check", "http://relay.example.test:1/", "--resolver", closed}},
		{"explain", []string{"explain", "dial tcp 10.1.2.3:443: connect: connection refused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := testenv.TempDir(t) + "/missing/dir/map.json"
			code, _, errOut := runInProcess(t, append(tc.args, "--redaction-map", bad)...)
			if !strings.Contains(errOut, "redaction-map") {
				t.Fatalf("exit %d, stderr %q: no word about the map", code, errOut)
			}
			if code == ExitOK {
				t.Fatalf("exit 0 although the map was not written")
			}
		})
	}
}

// TestResolverFlagChecked: --resolver is validated before anything runs
// ("notahost" was itself looked up through the system resolver).
func TestResolverFlagChecked(t *testing.T) {
	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{"127.0.0.1:99999", false}, {"127.0.0.1:0", false}, {"127.0.0.1:x", false}, {"[::1", false},
		{"a b", false}, {"-", false}, {"::1:53:x", false},
		{"tls://127.0.0.1", false}, {"https://127.0.0.1/dns-query", false}, {"udp://", false},
		{"127.0.0.1", true}, {"127.0.0.1:5353", true}, {"[::1]:53", true}, {"::1", true}, {"localhost:53", true},
		{"udp://127.0.0.1:5353", true}, {"UDP://[::1]", true},
	} {
		for _, cmd := range []string{"dns", "check"} {
			t.Run(cmd+" "+tc.value, func(t *testing.T) {
				code, _, errOut := runInProcess(t, cmd, "127.0.0.1", "--resolver", tc.value, "--format", "json")
				bad := code == ExitUsage && strings.Contains(errOut, "--resolver")
				if bad == tc.ok {
					t.Fatalf("exit %d, stderr %q", code, errOut)
				}
			})
		}
	}
}

// TestResolverNameUnresolved: a --resolver whose own name does not resolve
// was a generic DNS error ("check /etc/resolv.conf"); it is that resolver
// being unreachable, named in the hint.
func TestResolverNameUnresolved(t *testing.T) {
	dial := func(_ context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}
	code, out, errOut := runInProcessDNS(t, dial, "dns", "relay.example.test", "--resolver", "nonsense", "--format", "json")
	if code != ExitFailure || !strings.Contains(out, `"cause": "resolver-unreachable"`) || !strings.Contains(out, "nonsense:53") {
		t.Fatalf("exit %d, out %s, err %q", code, out, errOut)
	}
	// The hint says why it could not be asked, not "a stub resolver is not running".
	if !strings.Contains(out, "its own name does not resolve") || strings.Contains(out, "stub resolver") {
		t.Errorf("the hint does not say the resolver's own name failed: %s", out)
	}
}

// TestResolverScheme: a nameserver as Clash writes it. udp:// is plain DNS
// and is asked; DNS over HTTPS is pointed to --doh, other schemes named.
func TestResolverScheme(t *testing.T) {
	srv := pt.NewInProcessDNSServer(t)
	srv.Set("relay.example.test.", pt.Answer{A: []string{"127.0.0.1"}})
	code, out, errOut := runInProcessDNS(t, srv.Dial, "dns", "relay.example.test", "--resolver", "udp://"+srv.Addr, "--format", "json")
	if code != ExitOK || srv.Queries("relay.example.test.") == 0 {
		t.Fatalf("udp:// resolver not asked: exit %d, out %s, err %q", code, out, errOut)
	}
	for value, want := range map[string]string{
		"https://doh.example.test/dns-query": "--doh URL",
		"tls://dns.example.test":             "tls:// is not plain DNS",
		"quic://dns.example.test:853":        "quic:// is not plain DNS",
	} {
		code, _, errOut := runInProcess(t, "check", "http://127.0.0.1:1/v1", "--compare-resolver", value)
		if code != ExitUsage || !strings.Contains(errOut, "--compare-resolver") || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", value, code, errOut, want)
		}
	}
}

// TestExplainInputChecked: empty or binary input is bad input (random bytes
// were "explained" as an empty reply and echoed raw); colour codes are
// stripped before classifying.
func TestExplainInputChecked(t *testing.T) {
	for _, tc := range []struct {
		name, stdin string
		code        int
		want        string
	}{
		{"empty", "", ExitUsage, "empty"},
		{"blank lines", "\n \n", ExitUsage, "empty"},
		{"binary", "\x00\x01\xfe\xff\x02\x03\n\x00\x9f", ExitUsage, "not text"},
		{"coloured", "\x1b[31mdial tcp 10.1.2.3:443: connect: connection refused\x1b[0m\n", ExitOK, "connection-refused"},
		{"escape in text", "\x1b]0;pwned\x07 plain words\n", ExitFailure, "not recognised"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			f := &Factory{IO: &IOStreams{In: strings.NewReader(tc.stdin), Out: &out, ErrOut: &errOut}, Getenv: func(string) string { return "" }, Version: "t"}
			code := Execute(context.Background(), f, []string{"explain", "-"})
			if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.want) {
				t.Fatalf("exit %d, out %q, err %q", code, out.String(), errOut.String())
			}
			if strings.ContainsAny(out.String()+errOut.String(), "\x1b\x07\x00") {
				t.Fatalf("control bytes in output %q", out.String())
			}
		})
	}
}

// TestBundleVerifyInputs: an empty or binary file was "ok (hashes match…)"
// or a list of findings in random bytes; a text file's ok no longer claims
// hashes; --format json is honoured (it was ignored) and junit refused.
func TestBundleVerifyInputs(t *testing.T) {
	dir := testenv.TempDir(t)
	for _, tc := range []struct {
		name, content, format string
		code                  int
		want                  string
	}{
		{"empty.zip", "", "text", ExitUsage, "empty"},
		{"blank.txt", " \n\n", "text", ExitUsage, "empty"},
		{"random.bin", "\x00\x9f\xff binary \x01", "text", ExitUsage, "neither a zip nor a text file"},
		{"truncated.zip", "PK\x03\x04\x14\x00", "text", ExitUsage, "not a readable zip"},
		{"notes.txt", "all fine here\n", "text", ExitOK, "not a zip: scanned as one text file"},
		{"notes2.txt", "all fine here\n", "json", ExitOK, `"ok": true`},
		{"leak.txt", "see http://10.1.2.3/\n", "json", ExitFailure, `"rule": "private-ip"`},
		{"notes3.txt", "all fine here\n", "junit", ExitUsage, "text or json"},
	} {
		t.Run(tc.name+"/"+tc.format, func(t *testing.T) {
			path := dir + "/" + tc.name
			if err := writeFile(path, tc.content); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runInProcess(t, "bundle", "verify", path, "--format", tc.format)
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
			}
			if strings.Contains(out, "hashes match") {
				t.Fatalf("claims hashes for a file without a manifest: %q", out)
			}
		})
	}
}

// TestURLArgumentsUniqueNames: the same URL twice was checked twice under
// one name; two URLs sharing a name (scheme, trailing slash) were ambiguous.
func TestURLArgumentsUniqueNames(t *testing.T) {
	closed := pt.ClosedPort(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"same URL twice", []string{"http://" + closed + "/", "http://" + closed + "/"}, []string{closed}},
		{"scheme differs", []string{"http://" + closed, "https://" + closed}, []string{closed, closed + "#2"}},
		{"slash differs", []string{"http://" + closed, "http://" + closed + "/", "http://" + closed + "/"}, []string{closed, closed + "#2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runInProcess(t, append([]string{"check", "--format", "json"}, tc.args...)...)
			var rep struct {
				Endpoints []struct{ Name string } `json:"endpoints"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitFailure {
				t.Fatalf("exit %d, %v, err %q", code, err, errOut)
			}
			var got []string
			for _, e := range rep.Endpoints {
				got = append(got, e.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("names %q, want %q", got, tc.want)
			}
		})
	}
}

// TestServeListenChecked: an empty --listen served on every interface on a
// random port; a listen address needs a port.
func TestServeListenChecked(t *testing.T) {
	for _, listen := range []string{"", " ", "9595", "127.0.0.1", "127.0.0.1:"} {
		t.Run(listen, func(t *testing.T) {
			code, _, errOut := runInProcess(t, "serve", "http://127.0.0.1:1/", "--listen", listen)
			if code != ExitUsage || !strings.Contains(errOut, "--listen") {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
		})
	}
}

// TestBundleOutputChecked: an -o that cannot be written is refused before
// the run (it failed afterwards, exit 1, naming a temporary file).
func TestBundleOutputChecked(t *testing.T) {
	dir := testenv.TempDir(t)
	for _, out := range []string{dir, dir + "/missing/b.zip"} {
		t.Run(out, func(t *testing.T) {
			code, stdout, errOut := runInProcess(t, "bundle", "http://127.0.0.1:1/", "-o", out)
			if code != ExitUsage || stdout != "" || !strings.Contains(errOut, "-o "+out) || strings.Contains(errOut, ".newapi-doctor-bundle-") {
				t.Fatalf("exit %d, out %q, err %q", code, stdout, errOut)
			}
		})
	}
}

// TestConfigMessagesSurviveRedaction: messages go through the redactor; the
// ca_file one quoted a PEM header and was cut to "(want [REDACTED]"; names
// with bidi overrides or zero-width spaces printed reordered or alike.
func TestConfigMessagesSurviveRedaction(t *testing.T) {
	dir := testenv.TempDir(t)
	notPEM := dir + "/ca.pem"
	if err := writeFile(notPEM, "just text\n"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"ca not pem", "endpoints:\n  - name: a\n    url: http://127.0.0.1:1\n    ca_file: " + notPEM + "\n", "BEGIN CERTIFICATE line)"},
		{"bidi name", "endpoints:\n  - name: \"ab\u202ecd\"\n    url: http://127.0.0.1:1\n", "c.yaml:2:11: endpoint name contains control or invisible characters"},
		{"zero-width name", "endpoints:\n  - name: \"a\u200bb\"\n    url: http://127.0.0.1:1\n", "invisible characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := dir + "/c.yaml"
			if err := writeFile(path, tc.yaml); err != nil {
				t.Fatal(err)
			}
			code, _, errOut := runInProcess(t, "check", "--config", path)
			if code != ExitUsage || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "REDACTED") {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
		})
	}
}

// TestPortArgumentsChecked: tcp/tls with port 0, 99999 or -5 dialled and
// blamed an unreachable host; a bad port is bad input.
func TestPortArgumentsChecked(t *testing.T) {
	for _, arg := range []string{"127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:-5", "127.0.0.1:a b", "::1:1"} {
		for _, cmd := range []string{"tcp", "tls"} {
			if cmd == "tls" && arg == "::1:1" {
				continue // for tls an IPv6 literal without a port
			}
			t.Run(cmd+" "+arg, func(t *testing.T) {
				code, out, errOut := runInProcess(t, cmd, arg)
				if code != ExitUsage || out != "" || !strings.Contains(errOut, cmd+":") {
					t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
				}
			})
		}
	}
}

// TestHTTPCommandBadInput: a bad port or host in http's URL was a verdict
// with exit 1, an unset --key-env silently sent no key; both are bad input.
func TestHTTPCommandBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"http", "http://127.0.0.1:99999/"}, "port"},
		{[]string{"http", "http://-/v1"}, "host"},
		{[]string{"http", "http://127.0.0.1:1/", "--key-env", "NEWAPI_DOCTOR_UNSET_VAR"}, "NEWAPI_DOCTOR_UNSET_VAR is not set"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runInProcess(t, tc.args...)
			if code != ExitUsage || out != "" || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
			}
		})
	}
}

// TestProxyPasswordWithSlash: an unescaped / in a proxy password ends the
// URL's authority, so Go dials a "host" cut from the password; that piece
// of the password was printed (with --no-redact) as the proxy's name.
func TestProxyPasswordWithSlash(t *testing.T) {
	const proxy = "socks5://proxyuser:1234/WORDSECRET@127.0.0.1:1"
	t.Run("config", func(t *testing.T) {
		path := testenv.TempDir(t) + "/c.yaml"
		if err := writeFile(path, "endpoints:\n  - name: a\n    url: https://relay.example.test/v1\n    proxy: \""+proxy+"\"\n"); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runInProcess(t, "check", "--config", path, "--no-redact")
		if code != ExitUsage || !strings.Contains(errOut, "c.yaml:4:12") || !strings.Contains(errOut, "unescaped /") || strings.Contains(out+errOut, "WORDSECRET") {
			t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
		}
	})
	t.Run("environment", func(t *testing.T) {
		var out, errOut bytes.Buffer
		env := map[string]string{"HTTPS_PROXY": proxy}
		f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Getenv: func(k string) string { return env[k] }, Version: "t"}
		code := Execute(context.Background(), f, []string{"check", "https://relay.example.test/v1", "--no-redact", "--format", "json"})
		all := out.String() + errOut.String()
		if code != ExitFailure || !strings.Contains(all, `"cause": "proxy-bad-url"`) || strings.Contains(all, "WORDSECRET") || strings.Contains(all, "1234/") {
			t.Fatalf("exit %d, out %s, err %q", code, out.String(), errOut.String())
		}
	})
}

// TestRedactFlagsConflict: --no-redact silently beat --redact strict.
func TestRedactFlagsConflict(t *testing.T) {
	for _, cmd := range []string{"check", "explain", "dns"} {
		t.Run(cmd, func(t *testing.T) {
			code, out, errOut := runInProcess(t, cmd, "127.0.0.1", "--no-redact", "--redact", "strict")
			if code != ExitUsage || out != "" || !strings.Contains(errOut, "exclude each other") {
				t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
			}
		})
	}
}

// TestConfigFIFORefused: --config naming a FIFO hung in open(2), even
// through SIGTERM.
func TestConfigFIFORefused(t *testing.T) {
	path := testenv.TempDir(t) + "/fifo"
	if err := mkfifo(path); err != nil {
		t.Skip("no FIFOs here: " + err.Error())
	}
	code, _, errOut := runInProcess(t, "check", "--config", path)
	if code != ExitUsage || !strings.Contains(errOut, "named pipe") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// TestExplainBinaryInput: a binary file given to --log was "0 errors
// classified" with exit 0 (a clean bill of health for a zip or a .gz log),
// and 100 KiB of random bytes on stdin were "explained" through the one line
// that happened to decode as GBK. Both are bad input: exit 2, naming the file.
func TestExplainBinaryInput(t *testing.T) {
	rnd := make([]byte, 100<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range rnd {
		rnd[i] = byte(r.Uint32())
	}
	gz := append([]byte("\x1f\x8b\x08\x00"), rnd[:4096]...)
	dir := testenv.TempDir(t)
	for _, tc := range []struct {
		name string
		data []byte
	}{{"random.bin", rnd}, {"oneapi.log.gz", gz}} {
		t.Run("log/"+tc.name, func(t *testing.T) {
			path := dir + "/" + tc.name
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runInProcess(t, "explain", "--log", path)
			if code != ExitUsage || !strings.Contains(errOut, tc.name+" is not a text log") {
				t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
			}
		})
	}
	t.Run("stdin", func(t *testing.T) {
		var out, errOut bytes.Buffer
		f := &Factory{IO: &IOStreams{In: bytes.NewReader(rnd), Out: &out, ErrOut: &errOut}, Getenv: func(string) string { return "" }, Version: "t"}
		code := Execute(context.Background(), f, []string{"explain", "-"})
		if code != ExitUsage || !strings.Contains(errOut.String(), "not text") {
			t.Fatalf("exit %d, out %q, err %q", code, out.String(), errOut.String())
		}
	})
	t.Run("a log with a binary line still explains", func(t *testing.T) {
		path := dir + "/mixed.log"
		log := "[ERR] 2025/03/01 - 10:00:00 | req1 | channel error (channel #3, status code: 500): do request failed: Post \"https://api.openai.com/v1/chat/completions\": dial tcp 10.1.2.3:443: connect: connection refused\n\x00\x01\x02\n"
		if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runInProcess(t, "explain", "--log", path)
		if code != ExitOK || !strings.Contains(out, "connection-refused") {
			t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
		}
	})
}

// TestControlEvidenceNamesDefaultControls: the default control targets are
// the tool's own public picks, yet the control differential's evidence read
// "no control could be resolved (host-ecd235:443, host-d47313:443, …)":
// nobody could tell what was tried. An operator's own --control host stays
// pseudonymised.
func TestControlEvidenceNamesDefaultControls(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accepts and never answers: a timeout, which the control follows
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	// https: the handshake times out, before any request reached the target
	// (after an HTTP-layer timeout no control runs: the connection proved the path).
	u := "https://" + ln.Addr().String()
	for _, tc := range []struct {
		name        string
		args        []string
		want, never string
	}{
		{"default controls", nil, "www.baidu.com", "host-"},
		{"operator's control", []string{"--control", "https://ctl.corp.example.com"}, "host-", "ctl.corp.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"check", u, "--format", "json", "--resolver", "127.0.0.1:1", "--dns-timeout", "300ms", "--tls-timeout", "300ms", "--http-timeout", "300ms"}, tc.args...)
			code, out, errOut := runInProcess(t, args...)
			var rep struct {
				Endpoints []struct {
					Differentials []struct{ Name, Evidence string }
				}
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Endpoints) != 1 {
				t.Fatalf("exit %d, %v, out %q, err %q", code, err, out, errOut)
			}
			var ev string
			for _, d := range rep.Endpoints[0].Differentials {
				if d.Name == "control" {
					ev = d.Evidence
				}
			}
			if !strings.Contains(ev, tc.want) || strings.Contains(ev, tc.never) {
				t.Fatalf("control evidence %q: want %q, never %q", ev, tc.want, tc.never)
			}
		})
	}
	// --doh's own example was pseudonymised too ("https://ip-9ae2b4/dns-query").
	code, _, errOut := runInProcess(t, "check", u, "--doh", "http://x")
	if code != ExitUsage || !strings.Contains(errOut, "such as https://dns.alidns.com/dns-query") {
		t.Fatalf("--doh: exit %d, stderr %q", code, errOut)
	}
}

// TestREADMENamesEveryFlag: the README is the newcomer's manual; flags
// landed (--lang, --control, proxy --target, bundle --output) without it.
// Flags whose short form the README gives (-v, -4/-6) count as named.
func TestREADMENamesEveryFlag(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Getenv: func(string) string { return "" }, Version: "t"}
	root := NewRootCmd(f)
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "completion" || c.Name() == "help" {
			return
		}
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if fl.Hidden || fl.Name == "help" {
				return
			}
			named := bytes.Contains(readme, []byte("--"+fl.Name))
			if !named && fl.Shorthand != "" {
				named = bytes.Contains(readme, []byte("`-"+fl.Shorthand)) || bytes.Contains(readme, []byte("/-"+fl.Shorthand))
			}
			if !named {
				t.Errorf("%s: --%s is not in README.md", c.CommandPath(), fl.Name)
			}
		})
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(root)
}

// TestCompareResolverChecked: a bad --compare-resolver said
// "--compare-resolver: --resolver: …", naming a flag the user did not give.
func TestCompareResolverChecked(t *testing.T) {
	for _, v := range []string{"::::", "127.0.0.1:0", "a b"} {
		t.Run(v, func(t *testing.T) {
			code, _, errOut := runInProcess(t, "check", "http://127.0.0.1:1", "--compare-resolver", v)
			if code != ExitUsage || !strings.HasPrefix(errOut, "newapi-doctor: --compare-resolver: ") || strings.Contains(errOut, "--resolver") {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
		})
	}
}
