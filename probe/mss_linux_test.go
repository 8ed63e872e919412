package probe

import (
	"context"
	"net"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestTCPSmallMSS: the SYN announces the small MSS: the accepting side's
// segment size is capped by it (TCP_MAXSEG on the accepted socket).
func TestTCPSmallMSS(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan int, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- -1
			return
		}
		defer c.Close()
		rc, _ := c.(syscall.Conn).SyscallConn()
		mss := -1
		_ = rc.Control(func(fd uintptr) { mss, _ = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_MAXSEG) })
		got <- mss
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r := TCPSmallMSS(ctx, "tcp4", ln.Addr().String())
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	defer r.Conn.Close()
	if mss := <-got; mss <= 0 || mss > SmallMSS4 {
		t.Fatalf("the server's MSS is %d, want at most %d", mss, SmallMSS4)
	}
}
