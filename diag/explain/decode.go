package explain

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings a log or text may come in, as LogReport.Encoding names them.
const (
	EncUTF8BOM = "utf-8-bom"
	EncUTF16LE = "utf-16le"
	EncUTF16BE = "utf-16be"
	EncGB18030 = "gb18030" // GBK/GB2312 are subsets
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// sniffEncoding names the encoding of a stream from its first bytes: a BOM
// (PowerShell 5.1's `>` writes UTF-16LE with one, Notepad may add a UTF-8
// one), or UTF-16 without a BOM (every other byte NUL in ASCII-heavy text).
// "" is UTF-8 (or GB18030, which is told line by line: see toUTF8).
func sniffEncoding(head []byte) string {
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		return EncUTF8BOM
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return EncUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return EncUTF16BE
	}
	// Without a BOM: ASCII in UTF-16 has a NUL in every other byte (Chinese
	// has none, so a log qualifies by its ASCII). A binary file has NULs
	// too, but not so many on one side and so few on the other.
	n := len(head) &^ 1
	if n < 16 {
		return ""
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*10 >= pairs*4 && even*10 < odd:
		return EncUTF16LE
	case even*10 >= pairs*4 && odd*10 < even:
		return EncUTF16BE
	}
	return ""
}

func utf16Decoder(enc string, bom bool) *encoding.Decoder {
	end := unicode.LittleEndian
	if enc == EncUTF16BE {
		end = unicode.BigEndian
	}
	policy := unicode.IgnoreBOM
	if bom {
		policy = unicode.ExpectBOM
	}
	return unicode.UTF16(end, policy).NewDecoder()
}

// decodeStream returns a reader of UTF-8 for br and the encoding it found.
// UTF-8 (the usual case) costs one Peek: the fast path is untouched.
func decodeStream(br *bufio.Reader, size int) (*bufio.Reader, string) {
	head, _ := br.Peek(512)
	enc := sniffEncoding(head)
	switch enc {
	case EncUTF8BOM:
		_, _ = br.Discard(len(utf8BOM))
	case EncUTF16LE, EncUTF16BE:
		bom := head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF
		br = bufio.NewReaderSize(transform.NewReader(br, utf16Decoder(enc, bom)), size)
	}
	return br, enc
}

// toUTF8 returns a line that is not valid UTF-8 as GB18030 (what Notepad's
// "ANSI" and cmd's pipes write on a Chinese Windows) when it decodes
// cleanly, with true; else nil, false: the line is not text. A valid UTF-8
// line never comes here, so UTF-8 logs pay nothing.
func toUTF8(b []byte) ([]byte, bool) {
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) {
		return nil, false
	}
	return out, true
}

// DecodeText turns text read whole (explain -) into UTF-8: a BOM or UTF-16
// is decoded, and each line that is not UTF-8 but clean GB18030 is
// converted. Lines that are neither are left as they are (and later
// skipped as not text).
func DecodeText(b []byte) string {
	switch enc := sniffEncoding(b[:min(len(b), 512)]); enc {
	case EncUTF8BOM:
		b = b[len(utf8BOM):]
	case EncUTF16LE, EncUTF16BE:
		bom := len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF)
		if out, err := utf16Decoder(enc, bom).Bytes(b); err == nil {
			b = out
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	var out bytes.Buffer
	for len(b) > 0 {
		ln := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			ln = b[:i+1]
		}
		b = b[len(ln):]
		if !utf8.Valid(ln) {
			if d, ok := toUTF8(ln); ok {
				ln = d
			}
		}
		out.Write(ln)
	}
	return out.String()
}

// countingReader counts the bytes read from the source, before decoding.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
