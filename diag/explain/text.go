package explain

import "bytes"

// StripANSI removes terminal colour and control sequences (CSI "ESC [ … X",
// OSC "ESC ] … BEL|ESC \", and "ESC ( B"-like escapes). Logs of new-api (gin) run
// with a terminal carry colours; without this every such line was "not text".
func StripANSI(b []byte) []byte {
	if bytes.IndexByte(b, 0x1b) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if b[i] != 0x1b || i+1 >= len(b) {
			out = append(out, b[i])
			i++
			continue
		}
		switch b[i+1] {
		case '[':
			j := i + 2
			for j < len(b) && (b[j] < 0x40 || b[j] > 0x7e) {
				j++
			}
			i = j + 1
		case ']':
			j := i + 2
			for j < len(b) && b[j] != 0x07 && !(b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\') {
				j++
			}
			if j < len(b) && b[j] == 0x1b {
				j++
			}
			i = j + 1
		default: // ESC, intermediates (0x20-0x2f), a final byte: "ESC ( B"
			j := i + 1
			for j < len(b) && b[j] >= 0x20 && b[j] <= 0x2f {
				j++
			}
			i = j + 1
		}
	}
	return out
}

// IsText reports whether a line is text: no NUL or other C0 control but tab,
// and valid UTF-8 (after StripANSI).
func IsText(b []byte) bool { return !isGarbage(b) }
