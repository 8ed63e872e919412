// Package probetest holds in-process network fakes for tests: a DNS server,
// an HTTP CONNECT proxy, a SOCKS5 server, TLS and HTTP upstreams and
// misbehaving listeners. Everything listens on 127.0.0.1 with a random port
// and is closed through tb.Cleanup; fakes never dial beyond loopback.
package probetest
