package explain

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain/explaintest"
)

// sampleLog is new-api's log with the line kinds it writes, plus noise.
const sampleLog = `[SYS] 2025/03/01 - 09:59:58 | New API v0.9.1 started
[GIN] 2025/03/01 - 10:00:01 | 200 |   1.2ms | 172.17.0.1 | POST     "/v1/chat/completions"
[ERR] 2025/03/01 - 10:00:02 | 20250301100002aaa | relay error (channel #3, status code: 500): do request failed: Post "https://api.openai.com/v1/chat/completions": proxyconnect tcp: dial tcp 127.0.0.1:7890: connect: connection refused
[ERR] 2025/03/01 - 10:00:03 | 20250301100003bbb | relay error (channel #3, status code: 500): do request failed: Post "https://api.openai.com/v1/chat/completions": proxyconnect tcp: dial tcp 127.0.0.1:7890: connect: connection refused
[ERR] 2025/03/01 - 10:30:00 | 20250301103000ccc | relay error (channel #5, status code: 429): bad response status code 429, body: {"error":{"code":"rate_limit_exceeded"}}
[SYS] 2025/03/01 - 11:00:00 | 通道「claude」（#7）发生错误，准备禁用，原因：Your credit balance is too low to access the Anthropic API.
[SYS] 2025/03/01 - 11:00:00 | 通道「claude」（#7）未启用自动禁用功能，跳过禁用操作
[ERR] 2025/03/01 - 11:05:00 | 20250301110500ddd | do request failed: Post "https://api.deepseek.com/v1/chat/completions": dial tcp: lookup api.deepseek.com on 127.0.0.11:53: no such host
[ERR] 2025/03/01 - 11:06:00 | 20250301110600eee | something new-api says that nobody recognises
[INFO] 2025/03/01 - 11:07:00 | 20250301110700fff | user 1 used 100 tokens
` + "\x00\x01\x02 binary junk\xff\xfe\n" + `dial tcp 10.0.0.9:8080: connectex: No connection could be made because the target machine actively refused it.

`

func TestAnalyzeLog(t *testing.T) {
	rep, err := AnalyzeLog(strings.NewReader(sampleLog), LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"lines", rep.Lines, int64(13)},
		{"errors", rep.Errors, int64(6)},
		{"unrecognized", rep.Unrecognized, int64(1)},
		{"unrecognized example", rep.UnrecognizedExamples, []string{"something new-api says that nobody recognises"}},
		{"garbage", rep.Garbage, int64(1)},
		{"bytes", rep.Bytes, int64(len(sampleLog))},
		{"first", rep.First, "2025/03/01 - 09:59:58"},
		{"last", rep.Last, "2025/03/01 - 11:07:00"},
		{"proxy", rep.ByCategory[diag.CatProxy], int64(2)},
		{"overloaded", rep.ByCategory[diag.CatOverloaded], int64(2)},
		{"dns", rep.ByCategory[diag.CatDNS], int64(1)},
		{"refused", rep.ByCategory[diag.CatRefused], int64(1)},
		{"top cause", rep.Causes[0].Cause, diag.CauseProxyRefused},
		{"worst channel", rep.Channels[0].Key, "#3"},
		{"worst channel errors", rep.Channels[0].Errors, int64(2)},
		{"worst channel cause", rep.Channels[0].TopCause, diag.CauseProxyRefused},
		{"hours", len(rep.Hours), 2},
		{"hour 10", rep.Hours[0].Hour + "=" + strconv.FormatInt(rep.Hours[0].Errors, 10), "2025-03-01 10:00=3"},
		{"hour 11", rep.Hours[1].Hour + "=" + strconv.FormatInt(rep.Hours[1].Errors, 10), "2025-03-01 11:00=2"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
	byKey := map[string]ChannelStat{}
	for _, c := range rep.Channels {
		byKey[c.Key] = c
		if c.Hint == "" {
			t.Errorf("channel %s has no hint", c.Key)
		}
	}
	if c := byKey["#7 claude"]; c.Disabled != 1 || c.TopCause != diag.CauseQuota {
		t.Errorf("auto-disabled channel: %+v", c)
	}
	if _, ok := byKey["host api.deepseek.com"]; !ok {
		t.Errorf("no per-host entry for a line without a channel: %v", byKey)
	}
}

// TestLongLines feeds lines far longer than any buffer: they are examined in
// part and counted, never fatal.
func TestLongLines(t *testing.T) {
	long := `[ERR] 2025/03/01 - 10:00:02 | x | do request failed: Post "https://api.openai.com/v1/chat/completions": dial tcp 1.2.3.4:443: i/o timeout, body: ` + strings.Repeat("A", 3<<20)
	in := long + "\n" + long + "\n" + "short line error failed\n" + long // no final newline
	for _, maxLine := range []int{0, 100, 1 << 20} {
		t.Run(strconv.Itoa(maxLine), func(t *testing.T) {
			rep, err := AnalyzeLog(strings.NewReader(in), LogOptions{MaxLine: maxLine})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Lines != 4 || rep.Truncated != 3 || rep.Bytes != int64(len(in)) {
				t.Errorf("lines %d truncated %d bytes %d", rep.Lines, rep.Truncated, rep.Bytes)
			}
			if maxLine != 100 && rep.ByCategory[diag.CatBlocked] != 3 {
				t.Errorf("long lines not classified: %v", rep.ByCategory)
			}
		})
	}
}

func TestCaps(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&b, "[ERR] 2025/03/%02d - %02d:00:00 | r%d | relay error (channel #%d, status code: 429): bad response status code 429\n", i%28+1, i%24, i, i)
	}
	rep, err := AnalyzeLog(strings.NewReader(b.String()), LogOptions{MaxChannels: 10, MaxHours: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Channels) != 11 || len(rep.Hours) != 5 || rep.OverflowChannels != 40 || rep.OverflowHours != 45 {
		t.Errorf("channels %d hours %d overflow %d/%d", len(rep.Channels), len(rep.Hours), rep.OverflowChannels, rep.OverflowHours)
	}
	if rep.Channels[0].Key != otherKey || rep.Channels[0].Errors != 40 {
		t.Errorf("overflow bucket: %+v", rep.Channels[0])
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n--
		return copy(p, "[ERR] 2025/03/01 - 10:00:00 | r | dial tcp 1.2.3.4:443: i/o timeout\n"), nil
	}
	return 0, errors.New("disk on fire")
}

func TestReadError(t *testing.T) {
	rep, err := AnalyzeLog(&failingReader{n: 3}, LogOptions{})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
	if rep == nil || rep.Errors != 3 {
		t.Fatalf("partial report lost: %+v", rep)
	}
}

func TestParseLine(t *testing.T) {
	cases := []struct{ in, level, when, msg string }{
		{"[ERR] 2025/03/01 - 10:00:02 | 2025030110000212345 | do request failed: x", "ERR", "2025/03/01 - 10:00:02", "do request failed: x"},
		{"[SYS] 2025/03/01 - 10:00:02 | 通道「a | b」（#1）发生错误", "SYS", "2025/03/01 - 10:00:02", "通道「a | b」（#1）发生错误"},
		{"[ERR] 2025/03/01 - 10:00:02 | message with spaces | and a pipe", "ERR", "2025/03/01 - 10:00:02", "message with spaces | and a pipe"},
		{"plain error text", "", "", "plain error text"},
		{"[ERR] garbage", "", "", "[ERR] garbage"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got := parseLine(c.in)
			if got.level != c.level || got.when != c.when || got.msg != c.msg {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func FuzzAnalyzeLog(f *testing.F) {
	f.Add([]byte(sampleLog), 0)
	f.Add([]byte("[ERR] 2025/03/01 - 1"), 10)
	f.Add([]byte("\n\n\r\n"), 3)
	for _, b := range encodings(f, windowsLog) {
		f.Add(b, 0)
	}
	var gen bytes.Buffer
	if err := explaintest.Write(&gen, explaintest.Options{Size: 8 << 10, Seed: 5}); err != nil {
		f.Fatal(err)
	}
	f.Add(gen.Bytes(), 0)
	f.Fuzz(func(t *testing.T, b []byte, maxLine int) {
		rep, err := AnalyzeLog(bytes.NewReader(b), LogOptions{MaxLine: maxLine % 4096, MaxChannels: 5, MaxHours: 5, MaxPending: 2})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Bytes != int64(len(b)) {
			t.Fatalf("bytes %d, want %d", rep.Bytes, len(b))
		}
		var sum int64
		for _, n := range rep.ByCategory {
			sum += n
		}
		if sum != rep.Errors || rep.Errors+rep.Unrecognized+rep.Garbage > rep.Lines {
			t.Fatalf("counts disagree: %+v", rep)
		}
		if len(rep.Channels) > 6 || len(rep.Hours) > 5 {
			t.Fatalf("caps exceeded: %d channels %d hours", len(rep.Channels), len(rep.Hours))
		}
	})
}

func BenchmarkAnalyzeLog(b *testing.B) {
	var buf bytes.Buffer
	if err := explaintest.Write(&buf, explaintest.Options{Size: 32 << 20, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := AnalyzeLog(bytes.NewReader(data), LogOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	lines := readCorpus(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Classify(lines[i%len(lines)].text)
	}
}

// BenchmarkExplainLogRSS measures the built binary's peak memory on a
// generated log of NEWAPI_DOCTOR_RSS_MB megabytes (e.g. 1024) in /tmp, with
// /usr/bin/time -v. Not part of `go test`: run it with
//
//	NEWAPI_DOCTOR_RSS_MB=1024 go test -run '^$' -bench ExplainLogRSS -benchtime 1x ./diag/explain
func BenchmarkExplainLogRSS(b *testing.B) {
	mb, _ := strconv.Atoi(os.Getenv("NEWAPI_DOCTOR_RSS_MB"))
	if mb <= 0 {
		b.Skip("set NEWAPI_DOCTOR_RSS_MB (e.g. 1024) to generate a log that size in /tmp and measure peak RSS")
	}
	if runtime.GOOS != "linux" {
		b.Skip("needs /usr/bin/time -v (GNU time)")
	}
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		b.Skip("/usr/bin/time is not installed (Debian package: time)")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "newapi-doctor")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/newapi-doctor").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	logPath := filepath.Join(os.TempDir(), fmt.Sprintf("newapi-doctor-rss-%dmb.log", mb))
	if fi, err := os.Stat(logPath); err != nil || fi.Size() < int64(mb)<<20 {
		f, err := os.Create(logPath)
		if err != nil {
			b.Fatal(err)
		}
		if err := explaintest.Write(f, explaintest.Options{Size: int64(mb) << 20, Seed: 42}); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	for b.Loop() {
		cmd := exec.Command("/usr/bin/time", "-v", bin, "explain", "--log", logPath, "--format", "json")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Run(); err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				b.Fatal(err)
			}
		}
		m := regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`).FindStringSubmatch(stderr.String())
		w := regexp.MustCompile(`Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)`).FindStringSubmatch(stderr.String())
		if m == nil {
			b.Fatalf("no RSS in:\n%s", stderr.String())
		}
		kb, _ := strconv.ParseFloat(m[1], 64)
		b.ReportMetric(kb/1024, "maxRSS-MB")
		fi, _ := os.Stat(logPath)
		b.Logf("explain --log %s (%d MB): max RSS %.1f MB, wall %s", logPath, fi.Size()>>20, kb/1024, w[1])
	}
}

func TestSpanIsMinMax(t *testing.T) {
	in := "[ERR] 2025/03/02 - 10:00:00 | r | dial tcp 1.2.3.4:443: i/o timeout\n" +
		"[ERR] 2025/03/01 - 09:00:00 | r | dial tcp 1.2.3.4:443: i/o timeout\n" +
		"[ERR] 2025/03/03 - 08:00:00 | r | dial tcp 1.2.3.4:443: i/o timeout\n" +
		"[ERR] 2025/03/02 - 11:00:00 | r | dial tcp 1.2.3.4:443: i/o timeout\n"
	rep, err := AnalyzeLog(strings.NewReader(in), LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.First != "2025/03/01 - 09:00:00" || rep.Last != "2025/03/03 - 08:00:00" {
		t.Errorf("span %s → %s", rep.First, rep.Last)
	}
}
