package probe

import (
	"bufio"
	"io"
	"net/netip"
	"os"
	"strings"
)

// HostsEntry is the hosts file line that maps a name.
type HostsEntry struct {
	File  string       `json:"file"`
	Line  int          `json:"line"`
	Addrs []netip.Addr `json:"addrs"`
}

// HostsLookup returns the first line of the hosts file at path that names
// host (case-insensitive; the file's order decides, as for libc and Go), and
// every address the file gives it. ok is false when no line names it or the
// file cannot be read.
func HostsLookup(path, host string) (HostsEntry, bool) {
	f, err := os.Open(path)
	if err != nil {
		return HostsEntry{}, false
	}
	defer f.Close()
	e := parseHosts(f, host)
	e.File = path
	return e, e.Line > 0
}

func parseHosts(r io.Reader, host string) HostsEntry {
	var e HostsEntry
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		a, err := netip.ParseAddr(f[0])
		if err != nil {
			continue
		}
		for _, name := range f[1:] {
			if strings.ToLower(strings.TrimSuffix(name, ".")) == host {
				if e.Line == 0 {
					e.Line = n
				}
				e.Addrs = append(e.Addrs, a.Unmap())
				break
			}
		}
	}
	return e
}
