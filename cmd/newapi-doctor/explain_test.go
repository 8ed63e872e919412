package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/newapi-doctor/newapi-doctor/diag/explain"
)

var explainBin string // set by TestExplainBinary for its subtests (e2e_test.go builds it)

func runExplain(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd, err := testenv.Start(func() *exec.Cmd {
		cmd := exec.Command(explainBin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Stdout, cmd.Stderr = &out, &errb
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "HTTPS_PROXY=", "HTTP_PROXY=", "https_proxy=", "http_proxy=")
		return cmd
	})
	if err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestExplainBinary runs the explain command the
// way users do: arguments, stdin, --log, --probe, --format json.
func TestExplainBinary(t *testing.T) {
	explainBin = doctorBinary(t)
	t.Run("texts", testExplainTexts)
	t.Run("json and probe", testExplainJSONAndProbe)
	t.Run("log", testExplainLog)
	t.Run("windows encodings", testExplainEncodings)
	t.Run("new-api log from real errors", testExplainRealNewAPILog)
}

// testExplainEncodings feeds what Windows tools write — PowerShell 5.1's
// UTF-16LE with a BOM, Notepad's "ANSI" (GBK) and UTF-8 with a BOM — to
// --log FILE, --log - and explain -.
func testExplainEncodings(t *testing.T) {
	const text = "[ERR] 2025/03/01 - 10:00:02 | SYSTEM | do request failed: Post \"http://127.0.0.1:7890/v1/chat/completions\": dial tcp 127.0.0.1:7890: connectex: 由于目标计算机积极拒绝，无法连接。\r\n" +
		"[SYS] 2025/03/01 - 11:00:00 | 通道「克劳德」（#7）发生错误，准备禁用，原因：Your credit balance is too low\r\n"
	encode := func(e encoding.Encoding) []byte {
		b, err := e.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	encs := map[string][]byte{
		"utf-16le BOM": encode(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)),
		"utf-16be BOM": encode(unicode.UTF16(unicode.BigEndian, unicode.UseBOM)),
		"gbk":          encode(simplifiedchinese.GBK),
		"utf-8 BOM":    append([]byte{0xEF, 0xBB, 0xBF}, text...),
	}
	dir := testenv.TempDir(t)
	for name, b := range encs {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".log")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"explain", "--log", path}, {"explain", "--log", "-"}} {
				out, errOut, code := runExplain(t, string(b), args...)
				if code != 0 || !strings.Contains(out, "2 errors classified") || !strings.Contains(out, "#7 克劳德") ||
					!strings.Contains(out, "local-refused") || strings.Contains(out, "not text") || strings.Contains(out, "\ufeff") {
					t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
				}
			}
			out, errOut, code := runExplain(t, string(b), "explain", "-")
			if code != 0 || !strings.Contains(out, "refused (local-refused)") || !strings.Contains(out, "由于目标计算机积极拒绝") ||
				!strings.Contains(out, "quota") || strings.Contains(out, "\ufeff") {
				t.Errorf("explain -: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}

func testExplainTexts(t *testing.T) {
	cases := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  []string // substrings of stdout
		not   []string
	}{
		{"windows zh refused", "", []string{"explain", "由于目标计算机积极拒绝，无法连接。"}, 0, []string{"refused (connection-refused)", "[windows]"}, nil},
		{"proxy not target", "", []string{"explain", `Post "https://api.openai.com/v1/chat/completions": proxyconnect tcp: dial tcp 127.0.0.1:7890: connect: connection refused`},
			0, []string{"proxy (proxy-refused)", "at proxy-tcp", "newapi-doctor proxy http://127.0.0.1:7890"}, []string{"(connection-refused)"}},
		{"stdin keeps the line that matters", "Error starting\nFATAL dial tcp 127.0.0.1:3000: connectex: A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond.\nbye\n",
			[]string{"explain", "-"}, 0, []string{"blocked (syn-timeout)", "newapi-doctor tcp 127.0.0.1:3000"}, []string{"not recognised"}},
		{"not recognised exits 1", "", []string{"explain", "all is well"}, 1, []string{"not recognised"}, nil},
		{"no text is a usage error", "", []string{"explain"}, 2, nil, nil},
		{"bad format", "", []string{"explain", "--format", "junit", "x"}, 2, nil, nil},
		{"key in the text is hidden", "", []string{"explain", `通道「x」（#3）发生错误，准备禁用，原因：Incorrect API key provided: sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789. You can find your API key`},
			0, []string{"auth (unauthorized)", "channel:  #3 x"}, []string{"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runExplain(t, c.stdin, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(out+errOut, n) {
					t.Errorf("output contains %q:\n%s", n, out)
				}
			}
		})
	}
}

func testExplainJSONAndProbe(t *testing.T) {
	// A port that was listening and is now closed: the probe must confirm "refused".
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	text := `do request failed: Post "http://` + addr + `/v1/chat/completions": dial tcp ` + addr + `: connect: connection refused`
	out, errOut, code := runExplain(t, "", "explain", "--probe", "--format", "json", "--no-redact", text)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var doc struct {
		Results []struct {
			Category string `json:"category"`
			Cause    string `json:"cause"`
			Probe    string `json:"probe"`
			Result   *struct {
				Category string `json:"category"`
				Cause    string `json:"cause"`
			} `json:"probe_result"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Results) != 1 {
		t.Fatalf("results: %s", out)
	}
	r := doc.Results[0]
	if r.Category != "refused" || r.Cause != "local-refused" || r.Probe != "newapi-doctor tcp "+addr {
		t.Errorf("classified %+v", r)
	}
	if r.Result == nil || r.Result.Category != "refused" {
		t.Errorf("probe did not confirm: %+v\n%s", r.Result, out)
	}
}

func testExplainLog(t *testing.T) {
	dir := testenv.TempDir(t)
	log := filepath.Join(dir, "oneapi-20250301000000.log")
	body := strings.Repeat(`[ERR] 2025/03/01 - 10:00:02 | r1 | relay error (channel #3, status code: 500): do request failed: Post "https://api.openai.com/v1/chat/completions": dial tcp: lookup api.openai.com on 127.0.0.11:53: no such host`+"\n", 5) +
		`[SYS] 2025/03/01 - 11:00:00 | 通道「claude」（#7）发生错误，准备禁用，原因：Your credit balance is too low` + "\n" +
		"[GIN] 2025/03/01 - 11:00:01 | 200 | 1ms | 1.2.3.4 | POST \"/v1/chat/completions\"\n"
	if err := os.WriteFile(log, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runExplain(t, "", "explain", "--log", log)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, w := range []string{"7 lines", "6 errors classified", "dns", "nxdomain", "#3", "#7 claude", "2025-03-01 10:00"} {
		if !strings.Contains(out, w) {
			t.Errorf("log report lacks %q:\n%s", w, out)
		}
	}
	if i, j := strings.Index(out, "#3 "), strings.Index(out, "#7 claude"); i < 0 || j < 0 || i > j {
		t.Errorf("worst channel (#3, 5 errors) not listed first:\n%s", out)
	}
	_, _, code = runExplain(t, "", "explain", "--log", filepath.Join(dir, "missing.log"))
	if code != 2 {
		t.Errorf("missing log: exit %d, want 2", code)
	}
	out, _, code = runExplain(t, body, "explain", "--log", "-", "--format", "json")
	if code != 0 || !strings.Contains(out, `"errors": 6`) {
		t.Errorf("stdin log as JSON: exit %d\n%s", code, out)
	}
}

func TestProbeEndpoint(t *testing.T) {
	cases := []struct {
		text, url, proxy string
		ok               bool
	}{
		{`Post "https://api.openai.com/v1/chat/completions": EOF`, "https://api.openai.com", "", true},
		{`dial tcp 10.0.0.5:8000: connect: connection refused`, "http://10.0.0.5:8000", "", true},
		{`dial tcp [2001:db8::1]:443: connect: network is unreachable`, "https://[2001:db8::1]:443", "", true},
		{`proxyconnect tcp: dial tcp 127.0.0.1:7890: connect: connection refused`, "https://api.openai.com", "http://127.0.0.1:7890", true},
		{`Get "wss://spark-api.xf-yun.com/v3.5/chat": proxyconnect tcp: dial tcp 127.0.0.1:7890: i/o timeout`, "https://spark-api.xf-yun.com", "http://127.0.0.1:7890", true},
		{`由于目标计算机积极拒绝，无法连接。`, "", "", false},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			ep, ok := probeEndpoint(explain.Classify(c.text))
			if ok != c.ok || ok && (ep.URL != c.url || ep.Proxy != c.proxy) {
				t.Errorf("got %v %q proxy %q, want %v %q proxy %q", ok, ep.URL, ep.Proxy, c.ok, c.url, c.proxy)
			}
		})
	}
}
