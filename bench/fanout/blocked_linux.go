//go:build linux

package main

import (
	"fmt"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// blockedListeners opens n listeners, each on its own loopback address
// (127.1.0.1, 127.1.0.2, …: all of 127/8 is local on Linux), each with a
// backlog of 0 and its accept queue filled by one connection nobody
// accepts. The kernel then drops every further SYN: a filtered port, on
// loopback, without a firewall or privileges. Ping and traces to the
// address still answer, so each endpoint's localisation has real work:
// ping, an ICMP (or UDP) trace, and a TCP trace that hears nothing.
func blockedListeners(n int) ([]string, func(), error) {
	var fds []int
	var held []net.Conn
	stop := func() {
		for _, c := range held {
			c.Close()
		}
		for _, fd := range fds {
			unix.Close(fd)
		}
	}
	addrs := make([]string, 0, n)
	for i := range n {
		ip := [4]byte{127, 1, byte(i / 250), byte(i%250 + 1)}
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			stop()
			return nil, nil, err
		}
		fds = append(fds, fd)
		if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: ip}); err != nil {
			stop()
			return nil, nil, fmt.Errorf("bind %v: %w", ip, err)
		}
		if err := unix.Listen(fd, 0); err != nil {
			stop()
			return nil, nil, err
		}
		sa, err := unix.Getsockname(fd)
		if err != nil {
			stop()
			return nil, nil, err
		}
		addr := net.JoinHostPort(net.IP(ip[:]).String(), fmt.Sprint(sa.(*unix.SockaddrInet4).Port))
		c, err := net.DialTimeout("tcp4", addr, 2*time.Second)
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("filling %s's accept queue: %w", addr, err)
		}
		held = append(held, c)
		addrs = append(addrs, addr)
	}
	return addrs, stop, nil
}
