package probe

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestPingSkippedWithFix(t *testing.T) {
	r := Ping(context.Background(), "127.0.0.1", PingOptions{Count: 1, Privileges: &Privileges{Detail: "uid 65534 without CAP_NET_RAW"}})
	if systemICMP {
		// Windows pings through iphlpapi: no privilege, so nothing to skip.
		if r.Skipped || !r.Reached() || r.Err != nil || r.Replies[0].TTL <= 0 {
			t.Fatalf("got %+v, want a reply with a TTL and no privilege", r)
		}
		return
	}
	if !r.Skipped || r.Reached() || r.Err == nil {
		t.Fatalf("got %+v, want skipped", r)
	}
	want := map[string]string{"linux": "setcap cap_net_raw+ep", "windows": "Administrator"}[runtime.GOOS]
	if want == "" {
		want = "sudo"
	}
	if !strings.Contains(r.Fix, want) || !strings.Contains(r.SkipReason, "uid 65534") {
		t.Fatalf("fix %q / reason %q: want %q and the detail", r.Fix, r.SkipReason, want)
	}
	if runtime.GOOS == "linux" && !strings.Contains(r.Fix, `net.ipv4.ping_group_range="0 2147483647"`) {
		t.Fatalf("fix %q lacks the sysctl", r.Fix)
	}
}

func pingable(t *testing.T) {
	if systemICMP {
		return // iphlpapi needs no privilege
	}
	p := DetectPrivileges()
	if !p.Raw && !p.PingSocket {
		t.Skip("no ICMP privilege here: " + p.Detail)
	}
}

func TestPingLoopback(t *testing.T) {
	pingable(t)
	cases := []struct{ host, network string }{{"127.0.0.1", "ip4"}, {"localhost", "ip4"}}
	for _, c := range cases {
		t.Run(c.host, func(t *testing.T) {
			r := Ping(context.Background(), c.host, PingOptions{Count: 3, Interval: 20 * time.Millisecond, Network: c.network})
			if r.Err != nil || r.Skipped {
				t.Fatalf("ping: %v %s", r.Err, r.SkipReason)
			}
			if r.Received != 3 || len(r.Replies) != 3 || r.LossPct != 0 {
				t.Fatalf("received %d replies %d loss %v, want 3/3/0", r.Received, len(r.Replies), r.LossPct)
			}
			if r.MinMS > r.AvgMS || r.AvgMS > r.MaxMS || r.Replies[0].TTL <= 0 {
				t.Fatalf("stats inconsistent: min %v avg %v max %v ttl %d", r.MinMS, r.AvgMS, r.MaxMS, r.Replies[0].TTL)
			}
		})
	}
}

// A run is bounded by ctx even with a huge count: pro-bing alone would not stop.
func TestPingBoundedByContext(t *testing.T) {
	pingable(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r := Ping(ctx, "127.0.0.1", PingOptions{Count: 100000, Interval: 50 * time.Millisecond, Timeout: time.Hour})
	if r.Sent >= 100000 || r.Sent == 0 || r.Err != nil {
		t.Fatalf("sent %d err %v: want a run cut short by the deadline without error", r.Sent, r.Err)
	}
}

func TestPingSilentLoss(t *testing.T) {
	run := silentNetnsForPing(t)
	var r PingResult
	run(func() {
		r = Ping(context.Background(), "198.51.100.77", PingOptions{Count: 2, Interval: 50 * time.Millisecond, Timeout: 400 * time.Millisecond})
	})
	if r.Err != nil || r.Received != 0 || r.Sent == 0 || r.LossPct != 100 || r.Reached() {
		t.Fatalf("got sent %d received %d loss %v err %v, want 100%% loss", r.Sent, r.Received, r.LossPct, r.Err)
	}
}
