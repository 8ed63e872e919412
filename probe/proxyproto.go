package probe

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
)

// ProxySpeaks asks the proxy on conn, in protocol proto ("socks5" or
// "http"), whether it speaks it: a proxy URL with the wrong scheme fails as
// silence, a hang-up or garbage, and this names the scheme that works. It
// sends nothing a proxy acts on: a SOCKS5 greeting offering no
// authentication, or an HTTP request with no target. what describes the
// answer. conn is closed.
func ProxySpeaks(ctx context.Context, conn net.Conn, proto string) (yes bool, what string, err error) {
	defer conn.Close()
	release := bindConn(ctx, conn)
	defer release()
	switch proto {
	case "socks5":
		if _, err := conn.Write([]byte{5, 1, SOCKSMethodNone}); err != nil {
			return false, "", withCtxErr(ctx, err)
		}
		var b [2]byte
		if _, err := io.ReadFull(conn, b[:]); err != nil {
			return false, "", withCtxErr(ctx, err)
		}
		if b[0] != 5 {
			return false, fmt.Sprintf("answered %q to a SOCKS5 greeting", b[:]), nil
		}
		return true, fmt.Sprintf("a SOCKS5 greeting is answered (version 5, method %d)", b[1]), nil
	case "http":
		if _, err := io.WriteString(conn, "GET / HTTP/1.0\r\nUser-Agent: "+UserAgent+"\r\n\r\n"); err != nil {
			return false, "", withCtxErr(ctx, err)
		}
		line, err := bufio.NewReader(io.LimitReader(conn, 512)).ReadString('\n')
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "HTTP/1.") {
			return true, fmt.Sprintf("an HTTP request is answered %q", line), nil
		}
		if err != nil {
			return false, "", withCtxErr(ctx, err)
		}
		return false, fmt.Sprintf("answered %q to an HTTP request", line), nil
	}
	return false, "", fmt.Errorf("probe: ProxySpeaks: unknown protocol %q", proto)
}
