package bench

import (
	"crypto/x509"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/probe"
)

// evidences is a mix of what the chain hands the classifier: a refused
// connect, a silent SYN, NXDOMAIN, an untrusted chain, a 429 with a JSON
// body, a Winsock error and a healthy answer.
func evidences() map[string]diag.Evidence {
	opErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}
	}
	addr := netip.MustParseAddr("203.0.113.9")
	return map[string]diag.Evidence{
		"refused":   {Layer: diag.LayerTCP, Err: opErr(syscall.ECONNREFUSED), Addr: addr},
		"winsock":   {Layer: diag.LayerTCP, Err: opErr(syscall.Errno(10061)), Addr: addr},
		"syn":       {Layer: diag.LayerTCP, Err: opErr(syscall.ETIMEDOUT), Addr: addr},
		"nxdomain":  {Layer: diag.LayerDNS, Err: &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}},
		"untrusted": {Layer: diag.LayerTLS, Err: &x509.UnknownAuthorityError{}},
		"429": {Layer: diag.LayerHTTP, KeySent: true, Provider: "openai", HTTP: &probe.HTTPResult{Status: 429, RetryAfter: "20",
			ContentType: "application/json", ErrorType: "insufficient_quota", Body: []byte(`{"error":{"type":"insufficient_quota","message":"You exceeded your current quota"}}`)}},
		"ok": {Layer: diag.LayerHTTP, KeySent: true, Provider: "openai", HTTP: &probe.HTTPResult{Status: 200, ContentType: "application/json", Body: []byte(`{"object":"list","data":[]}`)}},
	}
}

func BenchmarkClassify(b *testing.B) {
	for name, ev := range evidences() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				diag.Classify(ev)
			}
		})
	}
}

// TestClassifyEvidences keeps the benchmark honest: each evidence must land
// in the category it stands for, or the benchmark times the wrong path.
func TestClassifyEvidences(t *testing.T) {
	want := map[string]diag.Category{"refused": diag.CatRefused, "winsock": diag.CatRefused, "syn": diag.CatBlocked,
		"nxdomain": diag.CatDNS, "untrusted": diag.CatTLS, "429": diag.CatOverloaded, "ok": diag.CatOK}
	for name, ev := range evidences() {
		t.Run(name, func(t *testing.T) {
			if got, cause := diag.Classify(ev); got != want[name] {
				t.Errorf("Classify(%s) = %s/%s, want %s", name, got, cause, want[name])
			}
		})
	}
}
