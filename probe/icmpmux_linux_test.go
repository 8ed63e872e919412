//go:build linux

package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

func needRaw(t *testing.T) {
	if p := DetectPrivileges(); !p.Raw {
		t.Skip("the shared raw ICMP socket needs root or CAP_NET_RAW: " + p.Detail)
	}
}

// TestSharedICMPManyRuns: 40 pings and 40 ICMP traces at once, each to its
// own loopback address, share one raw socket per family, and each run gets
// exactly its own replies (none lost to, or duplicated from, a neighbour).
func TestSharedICMPManyRuns(t *testing.T) {
	needRaw(t)
	targets := []string{}
	for i := range 40 {
		targets = append(targets, fmt.Sprintf("127.0.1.%d", i+1))
	}
	if c, err := net.ListenPacket("udp6", "[::1]:0"); err == nil {
		c.Close()
		targets = append(targets, "::1", "::1")
	}
	// Hold a run of each family open so every run below joins one socket.
	for _, a := range []string{"127.0.0.1", "::1"} {
		if s, err := acquireICMP(netip.MustParseAddr(a)); err == nil {
			defer s.release()
		}
	}
	opened := muxOpened.Load()
	pings := make([]PingResult, len(targets))
	traces := make([]TraceResult, len(targets))
	var wg sync.WaitGroup
	for i, a := range targets {
		wg.Go(func() {
			pings[i] = Ping(context.Background(), a, PingOptions{Count: 3, Interval: 20 * time.Millisecond, Timeout: 3 * time.Second})
		})
		wg.Go(func() {
			traces[i] = Trace(context.Background(), a, TraceOptions{Method: TraceICMP, ProbeTimeout: 2 * time.Second})
		})
	}
	wg.Wait()
	if n := muxOpened.Load() - opened; n != 0 {
		t.Errorf("%d more raw ICMP sockets opened, want every run on the shared one", n)
	}
	for i, a := range targets {
		p, tr := pings[i], traces[i]
		seqs := map[int]bool{}
		for _, r := range p.Replies {
			seqs[r.Seq] = true
		}
		if p.Err != nil || p.Mode != "privileged" || p.Sent != 3 || p.Received != 3 || p.Duplicates != 0 || len(seqs) != 3 || p.LossPct != 0 || p.Replies[0].TTL <= 0 {
			t.Errorf("ping %s: mode %s sent %d received %d dups %d seqs %v loss %v err %v", a, p.Mode, p.Sent, p.Received, p.Duplicates, seqs, p.LossPct, p.Err)
		}
		if tr.Err != nil || tr.End != TraceReached || tr.EndHop != 1 || len(tr.Hops) != 1 || tr.Hops[0].Addr != netip.MustParseAddr(a) || tr.Hops[0].Received == 0 {
			t.Errorf("trace %s: end %s at %d, hops %+v, err %v", a, tr.End, tr.EndHop, tr.Hops, tr.Err)
		}
	}
	muxMu.Lock()
	held := len(muxes)
	muxMu.Unlock()
	if held == 0 {
		t.Errorf("the held runs' sockets closed under them")
	}
}

// TestSharedICMPClosesWhenIdle: the socket lives while a run uses it, and
// its reader goroutine ends with it.
func TestSharedICMPClosesWhenIdle(t *testing.T) {
	needRaw(t)
	before := runtime.NumGoroutine()
	for range 20 {
		r := Ping(context.Background(), "127.0.0.1", PingOptions{Count: 1, Interval: 10 * time.Millisecond})
		if r.Received != 1 {
			t.Fatalf("ping: %+v", r)
		}
	}
	muxMu.Lock()
	for k, m := range muxes {
		if k.netns == netnsID() && !k.v6 && m.refs == 0 {
			t.Errorf("an idle shared socket stayed open")
		}
	}
	muxMu.Unlock()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after 20 pings, %d before: a reader outlived its socket", n, before)
	}
}

// TestPingInNetns: a namespace gets its own shared socket (a socket belongs
// to the namespace it was opened in), and the unprivileged ICMP echo socket
// path still pings loopback where ping_group_range allows it.
func TestPingInNetns(t *testing.T) {
	run := testNetns(t)
	var host *icmpSub
	if DetectPrivileges().Raw {
		s, err := acquireICMP(netip.MustParseAddr("127.0.0.1"))
		if err != nil {
			t.Fatal(err)
		}
		defer s.release()
		host = s
	}
	var (
		raw, unpriv PingResult
		inner       *icmpMux
		err         error
	)
	run(func() {
		if err = os.WriteFile("/proc/sys/net/ipv4/ping_group_range", []byte("0 2147483647"), 0o644); err != nil {
			return
		}
		if s, e := acquireICMP(netip.MustParseAddr("127.0.0.1")); e == nil {
			inner = s.mux
			s.release()
		}
		raw = Ping(context.Background(), "127.0.0.1", PingOptions{Count: 2, Interval: 20 * time.Millisecond, Timeout: 2 * time.Second})
		unpriv = Ping(context.Background(), "127.0.0.1", PingOptions{Count: 2, Interval: 20 * time.Millisecond, Timeout: 2 * time.Second, Privileges: &Privileges{PingSocket: true}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if host != nil && (inner == nil || inner == host.mux) {
		t.Errorf("the namespace's run joined the host's socket (%p, host %p)", inner, host.mux)
	}
	if raw.Received != 2 || raw.Mode != "privileged" {
		t.Errorf("raw ping in the namespace: %+v", raw)
	}
	if unpriv.Received != 2 || unpriv.Mode != "unprivileged" || unpriv.Replies[0].TTL <= 0 {
		t.Errorf("unprivileged ping in the namespace: %+v", unpriv)
	}
}
