package sysproxy

import (
	"reflect"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	"golang.org/x/sys/windows/registry"
)

// TestReadRegistry: WinINET (per-protocol form, bypass list, PAC) and WinHTTP
// (the binary value netsh winhttp writes) read back from the registry.
func TestReadRegistry(t *testing.T) {
	testenv.SetRegistry(t, registry.CURRENT_USER, InternetSettingsKey, map[string]any{
		"ProxyEnable":   uint32(1),
		"ProxyServer":   "http=127.0.0.1:7890;https=127.0.0.1:7890;socks=127.0.0.1:7891",
		"ProxyOverride": "localhost;127.*;<local>",
		"AutoConfigURL": "http://127.0.0.1:33331/pac",
	})
	testenv.SetRegistry(t, registry.LOCAL_MACHINE, WinHTTPKey, map[string]any{
		"WinHttpSettings": EncodeWinHTTPSettings("proxy.corp.example:8080", "*.corp.example"),
	})
	got := Read()
	want := []Setting{
		{Source: SourcePAC, PAC: "http://127.0.0.1:33331/pac"},
		{Source: SourceWinINET, Servers: map[string]string{"http": "127.0.0.1:7890", "https": "127.0.0.1:7890", "socks": "127.0.0.1:7891"}, Bypass: []string{"localhost", "127.*", "<local>"}},
		{Source: SourceWinHTTP, Servers: map[string]string{"*": "proxy.corp.example:8080"}, Bypass: []string{"*.corp.example"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Read() =\n%+v\nwant\n%+v", got, want)
	}
	// Turned off in Internet Options: only the PAC and WinHTTP remain.
	testenv.SetRegistry(t, registry.CURRENT_USER, InternetSettingsKey, map[string]any{"ProxyEnable": uint32(0), "AutoConfigURL": nil})
	if got := Read(); len(got) != 1 || got[0].Source != SourceWinHTTP {
		t.Fatalf("after ProxyEnable=0: %+v", got)
	}
}
