package diag

import (
	"errors"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// ASCIIHost checks a target host and returns the form that is resolved and
// dialled: an IP literal as it is, an international name in punycode (as Go's
// net/http dials it), an ASCII name unchanged. A name Go's resolver would
// refuse without asking anyone ("-", "a..b", a 64-byte label, "127.1") is
// an error here, not an NXDOMAIN blamed on the resolver.
func ASCIIHost(host string) (string, error) {
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if h == "" {
		return "", errors.New("the host is empty")
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return host, nil
	}
	ascii := h
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			a, err := idna.Lookup.ToASCII(h)
			if err != nil {
				return "", errors.New("the host is not a valid international domain name")
			}
			ascii = a
			break
		}
	}
	if err := checkDomainName(ascii); err != nil {
		return "", err
	}
	return ascii, nil
}

// checkDomainName applies the rules of Go's resolver (net.isDomainName).
func checkDomainName(s string) error {
	name := strings.TrimSuffix(s, ".")
	if name == "" || len(name) > 253 {
		return errors.New("the host name is empty or longer than 253 bytes")
	}
	letters := false
	for _, label := range strings.Split(name, ".") {
		switch {
		case label == "":
			return errors.New("the host name has an empty label (\"..\" or a leading dot)")
		case len(label) > 63:
			return errors.New("a label of the host name is longer than 63 bytes")
		case label[0] == '-' || label[len(label)-1] == '-':
			return errors.New("a label of the host name starts or ends with \"-\"")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '-':
				letters = true
			case c >= '0' && c <= '9':
			default:
				return errors.New("the host name has a character other than letters, digits, \"-\", \"_\" and \".\"")
			}
		}
	}
	if !letters {
		return errors.New("the host is neither an IP address nor a host name (all digits)")
	}
	return nil
}
