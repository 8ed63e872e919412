package desktop

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"time"
	"unsafe"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/probe"
	"golang.org/x/sys/windows"
)

var procGetExtendedTcpTable = windows.NewLazySystemDLL("iphlpapi.dll").NewProc("GetExtendedTcpTable")

type platform struct{}

// PortOwner asks GetExtendedTcpTable (TCP_TABLE_OWNER_PID_LISTENER) for the
// listener on port, as `netstat -ano` shows it, then names its program.
func (platform) PortOwner(port int) (*diag.PortOwner, error) {
	const tcpTableOwnerPIDListener = 3
	size := uint32(16 << 10)
	for range 4 {
		buf := make([]byte, size)
		r, _, _ := procGetExtendedTcpTable.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0,
			windows.AF_INET, tcpTableOwnerPIDListener, 0)
		switch windows.Errno(r) {
		case windows.ERROR_INSUFFICIENT_BUFFER:
			continue // size now holds what is needed
		case 0:
			rows, err := parseTCPTableOwnerPID(buf[:size])
			if err != nil {
				return nil, err
			}
			pid, ok := listenerPID(rows, port)
			if !ok {
				return nil, nil
			}
			return &diag.PortOwner{PID: pid, Process: processName(pid)}, nil
		default:
			return nil, os.NewSyscallError("GetExtendedTcpTable", windows.Errno(r))
		}
	}
	return nil, os.NewSyscallError("GetExtendedTcpTable", windows.ERROR_INSUFFICIENT_BUFFER)
}

func processName(pid int) string {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return ""
	}
	defer windows.CloseHandle(h)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n := uint32(len(buf))
	if err := windows.QueryFullProcessImageName(h, 0, &buf[0], &n); err != nil {
		return ""
	}
	return filepath.Base(windows.UTF16ToString(buf[:n]))
}

func (platform) ExcludedRanges(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "netsh", "int", "ipv4", "show", "excludedportrange", "protocol=tcp").Output()
	return string(out), err
}

func (platform) HostsFile() string { return probe.SystemHostsFile() }
