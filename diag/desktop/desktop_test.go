package desktop

import (
	"context"
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
)

const netshOut = `
Protocol tcp Port Exclusion Ranges

Start Port    End Port
----------    --------
      2869        2869
      2968        2968
      3000        3099
      5357        5357
     50000       50059     *

* - Administered port exclusions.
`

func TestParseExcludedRanges(t *testing.T) {
	got := ParseExcludedRanges(netshOut)
	want := []diag.PortRange{{Start: 2869, End: 2869}, {Start: 2968, End: 2968}, {Start: 3000, End: 3099}, {Start: 5357, End: 5357}, {Start: 50000, End: 50059}}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %v, want %v", i, got[i], want[i])
		}
	}
	// Chinese Windows: the headers differ, the rows do not.
	zh := "协议 tcp 端口排除范围\n\n开始端口    结束端口\n----------    --------\n      1080        1179\n"
	if r := ParseExcludedRanges(zh); len(r) != 1 || r[0] != (diag.PortRange{Start: 1080, End: 1179}) {
		t.Errorf("zh: %v", r)
	}
	if r := ParseExcludedRanges("9 5\n0 10\n70000 70001\n"); len(r) != 0 {
		t.Errorf("nonsense rows kept: %v", r)
	}
}

func FuzzParseExcludedRanges(f *testing.F) {
	f.Add(netshOut)
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range ParseExcludedRanges(s) {
			if r.Start < 1 || r.End > 65535 || r.Start > r.End {
				t.Fatalf("%v", r)
			}
		}
	})
}

func TestParseHosts(t *testing.T) {
	hosts := "127.0.0.1 localhost\n# 104.18.6.192 api.openai.com\n104.16.1.1 api.openai.com chat.openai.com # Steam++\n::1 localhost\nnot-an-ip api.anthropic.com\n"
	got := ParseHosts(hosts, "hosts")
	if len(got) != 1 || got[0].Line != 3 || got[0].Name != "api.openai.com" || got[0].Addr != "104.16.1.1" || got[0].Provider == "" {
		t.Fatalf("%+v", got)
	}
}

// table builds a MIB_TCPTABLE_OWNER_PID.
func table(rows ...tcpRow) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(rows)))
	for _, r := range rows {
		b = binary.LittleEndian.AppendUint32(b, uint32(r.State))
		a := r.Local.Addr().As4()
		b = append(b, a[:]...)
		b = binary.BigEndian.AppendUint16(b, r.Local.Port())
		b = append(b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(r.PID))
	}
	return b
}

func TestParseTCPTable(t *testing.T) {
	rows := []tcpRow{{5, mustAP("10.0.0.2:51000"), 10}, {tcpStateListen, mustAP("0.0.0.0:3000"), 4242}}
	got, err := parseTCPTableOwnerPID(table(rows...))
	if err != nil || len(got) != 2 || got[1] != rows[1] {
		t.Fatalf("%+v %v", got, err)
	}
	if pid, ok := listenerPID(got, 3000); !ok || pid != 4242 {
		t.Errorf("listener %d %v", pid, ok)
	}
	if _, ok := listenerPID(got, 51000); ok {
		t.Error("an established connection's port is no listener")
	}
	b := table(rows...)
	binary.LittleEndian.PutUint32(b, 99)
	if _, err := parseTCPTableOwnerPID(b); err == nil {
		t.Error("a count past the buffer parsed")
	}
}

func FuzzParseTCPTable(f *testing.F) {
	f.Add(table(tcpRow{tcpStateListen, mustAP("127.0.0.1:3000"), 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := parseTCPTableOwnerPID(b)
		if err == nil && len(rows)*24+4 > len(b) {
			t.Fatalf("%d rows from %d bytes", len(rows), len(b))
		}
	})
}

type fakePlatform struct {
	owner    *diag.PortOwner
	excluded string
	hosts    string
}

func (f fakePlatform) PortOwner(int) (*diag.PortOwner, error)         { return f.owner, nil }
func (f fakePlatform) ExcludedRanges(context.Context) (string, error) { return f.excluded, nil }
func (f fakePlatform) HostsFile() string                              { return f.hosts }

// appData makes %APPDATA%\New API with a data folder and two logs.
func appData(t *testing.T) string {
	root := testenv.TempDir(t)
	app := filepath.Join(root, "New API")
	for _, d := range []string{"data", "logs"} {
		if err := os.MkdirAll(filepath.Join(app, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string, age time.Duration) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		os.Chtimes(p, at, at)
	}
	write(filepath.Join(app, "data", "new-api.db"), "", 0)
	write(filepath.Join(app, "logs", "old.log"), "[ERR] 2025/03/01 - 10:00:00 | x | dial tcp 104.18.7.192:443: i/o timeout\n", time.Hour)
	write(filepath.Join(app, "logs", "main.log"), "[SYS] 2025/03/02 - 09:00:00 | failed to start HTTP server: listen tcp :3000: bind: Only one usage of each socket address (protocol/network address/port) is normally permitted.\n", 0)
	return root
}

func TestCollect(t *testing.T) {
	root := appData(t)
	hosts := filepath.Join(testenv.TempDir(t), "hosts")
	os.WriteFile(hosts, []byte("104.16.1.1 api.openai.com\n"), 0o600)
	env := map[string]string{"APPDATA": root, "PORT": "3000"}
	d := Collect(context.Background(), Options{Getenv: func(k string) string { return env[k] },
		Platform: fakePlatform{owner: &diag.PortOwner{PID: 4242, Process: "nginx.exe"}, excluded: netshOut, hosts: hosts}})
	if d == nil {
		t.Fatal("nothing collected")
	}
	if d.AppDir != filepath.Join(root, "New API") || d.DB != filepath.Join(root, "New API", "data", "new-api.db") {
		t.Errorf("app %q db %q", d.AppDir, d.DB)
	}
	if d.PortOwner == nil || d.PortOwner.PID != 4242 || d.Excluded == nil || d.Excluded.Start != 3000 || len(d.Hosts) != 1 {
		t.Errorf("owner %+v excluded %+v hosts %+v", d.PortOwner, d.Excluded, d.Hosts)
	}
	if len(d.Logs) != 2 || filepath.Base(d.Logs[0].Path) != "main.log" || len(d.Logs[0].Causes) == 0 || d.Logs[0].Causes[0].Cause != diag.CausePortInUse {
		t.Fatalf("logs %+v", d.Logs)
	}
	all := strings.Join(d.Hints, "\n")
	for _, w := range []string{"taskkill /PID 4242", "nginx.exe", "excluded range 3000-3099", "net stop winnat", "pins api.openai.com to 104.16.1.1", "port-in-use"} {
		if !strings.Contains(all, w) {
			t.Errorf("hints lack %q:\n%s", w, all)
		}
	}
}

func TestCollectNothingToSay(t *testing.T) {
	env := map[string]string{}
	d := Collect(context.Background(), Options{Getenv: func(k string) string { return env[k] },
		Platform: fakePlatform{owner: &diag.PortOwner{PID: 7, Process: "new-api.exe"}, hosts: filepath.Join(testenv.TempDir(t), "none")}})
	if d != nil {
		t.Fatalf("new-api holding its own port, no app, no hosts pin: %+v", d)
	}
}

func mustAP(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func TestPortTakenHint(t *testing.T) {
	if h := portTakenHint(3000, &diag.PortOwner{PID: 0}); strings.Contains(h, "taskkill") || !strings.Contains(h, "netstat -ano | findstr :3000") {
		t.Errorf("unknown owner: %q", h)
	}
	if h := portTakenHint(3000, &diag.PortOwner{PID: 77, Process: "Clash.exe"}); !strings.Contains(h, "taskkill /PID 77") || !strings.Contains(h, "Clash.exe") {
		t.Errorf("known owner: %q", h)
	}
}
