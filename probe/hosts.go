package probe

import (
	"bufio"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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
	EachHostsRecord(r, func(rec HostsRecord) bool {
		if slices.Contains(rec.Names, host) {
			if e.Line == 0 {
				e.Line = rec.Line
			}
			e.Addrs = append(e.Addrs, rec.Addr.Unmap())
		}
		return true
	})
	return e
}

// HostsRecord is one mapping line of a hosts file.
type HostsRecord struct {
	Line     int        // 1-based
	AddrText string     // the address as written
	Addr     netip.Addr // and parsed
	Names    []string   // lower case, without a trailing dot
}

// EachHostsRecord calls fn for every mapping line of a hosts file, in the
// file's order, until fn returns false. Comments, blank lines and lines whose
// first field is no address are passed over; a line has no length limit.
// The one reader of the hosts-file format: the DNS differential's lookup and
// the desktop section's provider pins both go through it.
func EachHostsRecord(r io.Reader, fn func(HostsRecord) bool) {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if line == "" && err != nil {
			return
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if f := strings.Fields(line); len(f) >= 2 {
			if a, perr := netip.ParseAddr(f[0]); perr == nil {
				names := make([]string, len(f)-1)
				for i, name := range f[1:] {
					names[i] = strings.ToLower(strings.TrimSuffix(name, "."))
				}
				if !fn(HostsRecord{Line: n, AddrText: f[0], Addr: a, Names: names}) {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// SystemHostsFile is the hosts file the system resolver reads.
func SystemHostsFile() string {
	if runtime.GOOS == "windows" {
		root := os.Getenv("SystemRoot")
		if root == "" {
			root = `C:\Windows`
		}
		return filepath.Join(root, "System32", "drivers", "etc", "hosts")
	}
	return "/etc/hosts"
}
