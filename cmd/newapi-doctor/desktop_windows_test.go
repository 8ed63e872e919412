package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// TestE2EDesktopSection: the desktop app's folder under the %APPDATA% the
// test sets, its gateway port held by another program (this test process),
// a crash log saying 10048: `check` names the folder, the database, the
// port's owner with the fix, and the log's cause.
func TestE2EDesktopSection(t *testing.T) {
	appData := testenv.TempDir(t)
	app := filepath.Join(appData, "New API")
	for _, d := range []string{"data", "logs"} {
		if err := os.MkdirAll(filepath.Join(app, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(app, "data", "new-api.db"), nil, 0o600)
	os.WriteFile(filepath.Join(app, "logs", "main.log"), []byte("[SYS] 2025/03/02 - 09:00:00 | failed to start HTTP server: listen tcp :3000: bind: 通常每个套接字地址(协议/网络地址/端口)只允许使用一次。\n"), 0o600)
	ln, err := net.Listen("tcp4", "0.0.0.0:0") // the "other program" on the gateway's port
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	r := runDoctor(t, []string{"APPDATA=" + appData, "PORT=" + strconv.Itoa(port)}, "check", "--format", "json", "http://"+pt.ClosedPort(t)+"/v1")
	var rep diag.Report
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil || rep.Desktop == nil {
		t.Fatalf("exit %d, no desktop section: %v\n%s\n%s", r.code, err, r.out, r.errOut)
	}
	d := rep.Desktop
	if d.AppDir != app || d.DB != filepath.Join(app, "data", "new-api.db") || d.Port != port {
		t.Errorf("app %q db %q port %d", d.AppDir, d.DB, d.Port)
	}
	wantFix, wantLine := "taskkill /PID "+strconv.Itoa(os.Getpid()), "held by PID "+strconv.Itoa(os.Getpid())
	switch {
	case d.PortOwner == nil:
		t.Errorf("the taken port %d was not seen", port)
	case d.PortOwner.PID == 0 && testenv.Wine():
		t.Log(testenv.GapTCPOwnerPID + ": the owner is reported unknown")
		wantFix, wantLine = "netstat -ano | findstr :"+strconv.Itoa(port), "taken (the owner's PID is not known)"
	case d.PortOwner.PID != os.Getpid() || !strings.HasSuffix(strings.ToLower(d.PortOwner.Process), ".exe"):
		t.Errorf("port owner %+v, want this process %d", d.PortOwner, os.Getpid())
	}
	if len(d.Logs) != 1 || len(d.Logs[0].Causes) == 0 || d.Logs[0].Causes[0].Cause != diag.CausePortInUse {
		t.Errorf("logs %+v", d.Logs)
	}
	if h := strings.Join(d.Hints, "\n"); !strings.Contains(h, wantFix) {
		t.Errorf("hints lack the fix:\n%s", h)
	}
	text := runDoctor(t, []string{"APPDATA=" + appData, "PORT=" + strconv.Itoa(port)}, "check", "http://"+pt.ClosedPort(t)+"/v1")
	if !strings.Contains(text.out, "desktop app:") || !strings.Contains(text.out, wantLine) {
		t.Errorf("text output:\n%s", text.out)
	}
}
