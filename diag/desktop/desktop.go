// Package desktop gathers the new-api desktop app's own failures for
// `check` and `bundle` (issue 12.4): who holds the gateway's port, whether
// the port lies in a Hyper-V/WSL excluded range, the app's newest logs read
// through explain, its data folder, and hosts-file lines pinning a provider.
// Parsers are pure (Linux tests cover them); platform_*.go do the asking.
package desktop

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/probe"
)

// Platform answers the OS-specific questions (tests fake it).
type Platform interface {
	// PortOwner is the process listening on TCP port, nil when free.
	PortOwner(port int) (*diag.PortOwner, error)
	// ExcludedRanges is the output of
	// `netsh int ipv4 show excludedportrange protocol=tcp` ("" elsewhere).
	ExcludedRanges(ctx context.Context) (string, error)
	// HostsFile is the hosts file's path.
	HostsFile() string
}

// Options shape one collection.
type Options struct {
	Getenv   func(string) string
	Port     int      // the gateway's port; 0 = $PORT or 3000
	Platform Platform // nil = this OS's
	MaxLogs  int      // newest logs read (default 3)
}

// App folder names: the Electron productName, and the package name some
// builds use.
var appDirNames = []string{"New API", "New-API-App", "new-api-app"}

// Collect returns the desktop section, or nil when there is nothing to say
// (no app folder, the port free or held by new-api, no hosts pins).
func Collect(ctx context.Context, o Options) *diag.DesktopInfo {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Platform == nil {
		o.Platform = platform{}
	}
	if o.MaxLogs <= 0 {
		o.MaxLogs = 3
	}
	if o.Port <= 0 {
		o.Port = 3000
		if p, err := strconv.Atoi(o.Getenv("PORT")); err == nil && p > 0 && p < 65536 {
			o.Port = p
		}
	}
	d := &diag.DesktopInfo{Port: o.Port}
	found := false
	if appData := o.Getenv("APPDATA"); appData != "" {
		for _, name := range appDirNames {
			dir := filepath.Join(appData, name)
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
				d.AppDir, found = dir, true
				break
			}
		}
	}
	if d.AppDir != "" {
		data := filepath.Join(d.AppDir, "data")
		if fi, err := os.Stat(data); err == nil && fi.IsDir() {
			d.DataDir = data
			if _, err := os.Stat(filepath.Join(data, "new-api.db")); err == nil {
				d.DB = filepath.Join(data, "new-api.db")
			} else {
				d.Notes = append(d.Notes, i18n.Default().T("the data folder holds no new-api.db yet: the app's server has not started once, or uses another SQLITE_PATH"))
			}
		}
		d.Logs = readLogs(filepath.Join(d.AppDir, "logs"), o.MaxLogs)
		for _, l := range d.Logs {
			if len(l.Causes) > 0 {
				c := l.Causes[0]
				d.Hints = append(d.Hints, fmt.Sprintf("%s: %d× %s — %s", filepath.Base(l.Path), c.Count, c.Cause, c.Hint))
			}
		}
	}
	if owner, err := o.Platform.PortOwner(o.Port); err != nil {
		d.Notes = append(d.Notes, i18n.Default().Sprintf("who holds port %s is unknown: %s", strconv.Itoa(o.Port), err.Error()))
	} else if owner != nil {
		d.PortOwner = owner
		if isNewAPI(owner.Process) {
			d.Notes = append(d.Notes, i18n.Default().Sprintf("port %s is new-api's own (PID %s, %s)", strconv.Itoa(o.Port), strconv.Itoa(owner.PID), owner.Process))
		} else {
			found = true
			d.Hints = append(d.Hints, portTakenHint(o.Port, owner))
		}
	}
	if out, err := o.Platform.ExcludedRanges(ctx); err == nil && out != "" {
		for _, r := range ParseExcludedRanges(out) {
			if o.Port >= r.Start && o.Port <= r.End {
				d.Excluded, found = &r, true
				d.Hints = append(d.Hints, excludedHint(o.Port, r))
				break
			}
		}
	}
	if b, err := os.ReadFile(o.Platform.HostsFile()); err == nil {
		d.Hosts = ParseHosts(string(b), o.Platform.HostsFile())
		for _, h := range d.Hosts {
			found = true
			d.Hints = append(d.Hints, i18n.Default().Sprintf("%s line %s pins %s to %s: new-api connects there instead of the provider's real address. Remove the line (Watt Toolkit/Steam++ and 'accelerators' write these) unless you put it there on purpose, then flush the DNS cache.", h.File, strconv.Itoa(h.Line), h.Name, h.Addr))
		}
	}
	if !found {
		return nil
	}
	return d
}

func isNewAPI(process string) bool {
	p := strings.ToLower(filepath.Base(strings.ReplaceAll(process, `\`, "/")))
	return strings.Contains(p, "new-api") || strings.Contains(p, "new api") || strings.Contains(p, "one-api")
}

// The hints are in the process's language (i18n; Chinese in zh.go); ports
// and PIDs go as strings, which x/text would group.
func portTakenHint(port int, o *diag.PortOwner) string {
	l, p, pid := i18n.Default(), strconv.Itoa(port), strconv.Itoa(o.PID)
	if o.PID == 0 {
		// PID 0 is the idle process, never a listener: the owner is unknown.
		return l.Sprintf("Port %s is taken by another program: new-api's server cannot start there (10048, 'Only one usage of each socket address'). Find it with `netstat -ano | findstr :%s` (last column: the PID) and end it, or start new-api on another port (PORT).", p, p)
	}
	who := "PID " + pid
	if o.Process != "" {
		who += " (" + o.Process + ")"
	}
	return l.Sprintf("Port %s is taken by %s: new-api's server cannot start there (10048, 'Only one usage of each socket address'). End that program (Task Manager → Details, or `taskkill /PID %s`), or start new-api on another port (PORT).", p, who, pid)
}

func excludedHint(port int, r diag.PortRange) string {
	p := strconv.Itoa(port)
	return i18n.Default().Sprintf("Port %s lies in the excluded range %s-%s that Hyper-V/WSL/Docker (winnat) reserved: binding it fails with 10013 'forbidden by its access permissions'. Use a port outside the range, or, from a terminal run as Administrator: `net stop winnat`, `netsh int ipv4 add excludedportrange protocol=tcp startport=%s numberofports=1`, `net start winnat` to keep the port for new-api.", p, strconv.Itoa(r.Start), strconv.Itoa(r.End), p)
}

// readLogs reads the newest log files through explain.
func readLogs(dir string, max int) []diag.AppLog {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var logs []diag.AppLog
	for _, e := range entries {
		n := strings.ToLower(e.Name())
		if e.IsDir() || !(strings.HasSuffix(n, ".log") || strings.HasSuffix(n, ".txt")) {
			continue
		}
		if fi, err := e.Info(); err == nil {
			logs = append(logs, diag.AppLog{Path: filepath.Join(dir, e.Name()), Modified: fi.ModTime()})
		}
	}
	slices.SortFunc(logs, func(a, b diag.AppLog) int { return b.Modified.Compare(a.Modified) })
	if len(logs) > max {
		logs = logs[:max]
	}
	for i := range logs {
		f, err := os.Open(logs[i].Path)
		if err != nil {
			continue
		}
		// The newest 8 MiB: a crash is at the end.
		if fi, err := f.Stat(); err == nil && fi.Size() > 8<<20 {
			_, _ = f.Seek(-8<<20, io.SeekEnd)
		}
		rep, err := explain.AnalyzeLog(f, explain.LogOptions{})
		f.Close()
		if err != nil || rep == nil {
			continue
		}
		logs[i].Errors = rep.Errors
		for _, c := range rep.Causes {
			logs[i].Causes = append(logs[i].Causes, diag.LogCause{Cause: c.Cause, Count: c.Count, Example: c.Example, Hint: c.Hint})
		}
	}
	return logs
}

// ParseExcludedRanges reads `netsh int ipv4 show excludedportrange
// protocol=tcp`: rows of "start end" (an ending * marks administered
// exclusions); headers and dashes are skipped, in any UI language.
func ParseExcludedRanges(out string) []diag.PortRange {
	var rs []diag.PortRange
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(strings.TrimSuffix(strings.TrimSpace(sc.Text()), "*"))
		if len(f) != 2 {
			continue
		}
		a, err1 := strconv.Atoi(f[0])
		b, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil || a < 1 || b > 65535 || a > b {
			continue
		}
		rs = append(rs, diag.PortRange{Start: a, End: b})
	}
	return rs
}

// ParseHosts returns the hosts-file lines that name a known provider's host.
func ParseHosts(data, file string) []diag.HostsLine {
	var out []diag.HostsLine
	probe.EachHostsRecord(strings.NewReader(data), func(r probe.HostsRecord) bool {
		for _, name := range r.Names {
			if p, ok := diag.ProviderForHost(name); ok {
				out = append(out, diag.HostsLine{File: file, Line: r.Line, Addr: r.AddrText, Name: name, Provider: p.ID})
			}
		}
		return true
	})
	return out
}

// TCP states (MIB_TCP_STATE).
const tcpStateListen = 2

// tcpRow is one MIB_TCPROW_OWNER_PID.
type tcpRow struct {
	State int
	Local netip.AddrPort
	PID   int
}

// parseTCPTableOwnerPID decodes MIB_TCPTABLE_OWNER_PID (GetExtendedTcpTable,
// AF_INET): a DWORD count, then rows of six DWORDs — state, local address,
// local port, remote address, remote port, owning PID. Ports are in network
// order in the low 16 bits.
func parseTCPTableOwnerPID(b []byte) ([]tcpRow, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("tcp table: %d bytes", len(b))
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n)*24 > uint64(len(b)-4) {
		return nil, fmt.Errorf("tcp table: %d rows do not fit in %d bytes", n, len(b))
	}
	rows := make([]tcpRow, 0, n)
	for i := range int(n) {
		r := b[4+24*i : 4+24*(i+1)]
		port := binary.BigEndian.Uint16(r[8:10])
		rows = append(rows, tcpRow{
			State: int(binary.LittleEndian.Uint32(r[0:4])),
			Local: netip.AddrPortFrom(netip.AddrFrom4([4]byte(r[4:8])), port),
			PID:   int(binary.LittleEndian.Uint32(r[20:24])),
		})
	}
	return rows, nil
}

// listenerPID finds the process listening on port (any local address).
func listenerPID(rows []tcpRow, port int) (int, bool) {
	for _, r := range rows {
		if r.State == tcpStateListen && int(r.Local.Port()) == port {
			return r.PID, true
		}
	}
	return 0, false
}
