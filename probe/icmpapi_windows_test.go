package probe

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
)

// TestPingSystemIPv6: Icmp6SendEcho2 to ::1, unprivileged.
func TestPingSystemIPv6(t *testing.T) {
	r := Ping(context.Background(), "::1", PingOptions{Count: 2, Interval: 20 * time.Millisecond, Network: "ip6"})
	if r.Err != nil && strings.Contains(r.Error, "Icmp6CreateFile") {
		testenv.SkipOnWine(t, testenv.GapICMPv6)
	}
	if r.Err != nil || r.Received != 2 || r.Mode != "unprivileged" {
		t.Fatalf("%+v", r)
	}
}
