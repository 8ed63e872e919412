package explain

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// windowsLog is what a Chinese Windows user saves: a new-api log with a
// Winsock error in Chinese and an auto-disable line.
const windowsLog = `[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | do request failed: Post "https://api.openai.com/v1/chat/completions": proxyconnect tcp: dial tcp 127.0.0.1:7890: connectex: 由于目标计算机积极拒绝，无法连接。
[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | channel error (channel #3, status code: 500): upstream error: do request failed
[SYS] 2025/03/01 - 11:00:00 | 通道「克劳德」（#7）发生错误，准备禁用，原因：Your credit balance is too low to access the Anthropic API.
[GIN] 2025/03/01 - 11:00:01 | 200 |  1.2ms | 127.0.0.1 | POST     "/v1/chat/completions"
`

// encodings writes text as Windows tools do, with x/text's encoders.
func encodings(t testing.TB, text string) map[string][]byte {
	enc := func(e encoding.Encoding) []byte {
		b, err := e.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return map[string][]byte{
		"utf-8":           []byte(text),
		"utf-8 BOM":       append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"utf-16le BOM":    enc(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)),
		"utf-16be BOM":    enc(unicode.UTF16(unicode.BigEndian, unicode.UseBOM)),
		"utf-16le no BOM": enc(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)),
		"gbk":             enc(simplifiedchinese.GBK),
		"gb18030":         enc(simplifiedchinese.GB18030),
	}
}

func TestAnalyzeLogEncodings(t *testing.T) {
	encs := encodings(t, windowsLog)
	crlf := strings.ReplaceAll(windowsLog, "\n", "\r\n")
	encs["gbk, CRLF"] = encodings(t, crlf)["gbk"]
	encs["utf-16le BOM CRLF"] = encodings(t, crlf)["utf-16le BOM"]
	wantEnc := map[string]string{"utf-8 BOM": EncUTF8BOM, "utf-16le BOM": EncUTF16LE, "utf-16be BOM": EncUTF16BE,
		"utf-16le no BOM": EncUTF16LE, "utf-16le BOM CRLF": EncUTF16LE}
	for name, b := range encs {
		t.Run(name, func(t *testing.T) {
			rep, err := AnalyzeLog(bytes.NewReader(b), LogOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Garbage != 0 || rep.Lines != 4 || rep.Errors != 2 || rep.Unrecognized != 0 {
				t.Fatalf("lines %d errors %d unrecognized %d garbage %d: %+v", rep.Lines, rep.Errors, rep.Unrecognized, rep.Garbage, rep)
			}
			if rep.Bytes != int64(len(b)) || rep.Encoding != wantEnc[name] {
				t.Errorf("bytes %d (of %d), encoding %q (want %q)", rep.Bytes, len(b), rep.Encoding, wantEnc[name])
			}
			if gbk := strings.HasPrefix(name, "gb"); gbk != (rep.GB18030Lines == 2) {
				t.Errorf("%d lines read as GB18030", rep.GB18030Lines)
			}
			if rep.First != "2025/03/01 - 10:00:02" {
				t.Errorf("first %q: the BOM is not part of the first line", rep.First)
			}
			c3, _ := channelByID(rep, 3)
			c7, _ := channelByID(rep, 7)
			if c3.TopCause != diag.CauseProxyRefused || c7.Name != "克劳德" || c7.TopCause != diag.CauseQuota {
				t.Errorf("#3 %+v\n#7 %+v", c3, c7)
			}
			for _, c := range rep.Causes {
				if strings.ContainsRune(c.Example, '\uFEFF') || strings.ContainsRune(c.Example, '\uFFFD') {
					t.Errorf("example not decoded: %q", c.Example)
				}
			}
		})
	}
}

func TestDecodeText(t *testing.T) {
	const text = "dial tcp 127.0.0.1:7890: connectex: 由于目标计算机积极拒绝，无法连接。\n第二行\n"
	for name, b := range encodings(t, text) {
		t.Run(name, func(t *testing.T) {
			if got := DecodeText(b); got != text {
				t.Errorf("got %q", got)
			}
		})
	}
	t.Run("mixed lines", func(t *testing.T) {
		gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("第二行\n"))
		in := append([]byte("由于目标计算机积极拒绝\n"), gbk...)
		in = append(in, "\x00\xff binary\n"...)
		if got := DecodeText(in); got != "由于目标计算机积极拒绝\n第二行\n\x00\xff binary\n" {
			t.Errorf("got %q", got)
		}
	})
}

func TestSniffEncoding(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"ascii", []byte("plain text, long enough to sniff"), ""},
		{"binary with NULs", []byte("\x00\x01\x00\x00\x7f\x00\x00\x00\x01\x02\x00\x00\x00\x00\x00\x05\x00"), ""},
		{"short", []byte("a\x00"), ""},
		{"utf-16be no BOM", []byte("\x00[\x00E\x00R\x00R\x00]\x00 \x002\x000\x002\x005"), EncUTF16BE},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := sniffEncoding(c.in); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// FuzzDecode: any bytes decode without panic, and the analysis of a
// decoded stream keeps its invariants.
func FuzzDecode(f *testing.F) {
	for _, b := range encodings(f, windowsLog) {
		f.Add(b)
	}
	f.Add([]byte{0xFF, 0xFE, 0x00})
	f.Add([]byte{0xFE, 0xFF, 0xD8, 0x00})
	f.Add([]byte{0xEF, 0xBB, 0xBF, 0x81, 0x30, '\n'})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := DecodeText(b)
		if len(s) == 0 && len(b) > 3 && b[0] != 0xFF && b[0] != 0xFE && b[0] != 0xEF {
			t.Fatalf("text lost: %q", b)
		}
		rep, err := AnalyzeLog(bytes.NewReader(b), LogOptions{MaxChannels: 5, MaxHours: 5, MaxPending: 3})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Bytes != int64(len(b)) || rep.Errors+rep.Unrecognized+rep.Garbage > rep.Lines+rep.Joined {
			t.Fatalf("counts disagree: %+v", rep)
		}
	})
}
