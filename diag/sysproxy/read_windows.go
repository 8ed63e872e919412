package sysproxy

import (
	"errors"

	"golang.org/x/sys/windows/registry"
)

// Registry locations (what Internet Options and netsh winhttp write).
const (
	InternetSettingsKey = `Software\Microsoft\Windows\CurrentVersion\Internet Settings`
	WinHTTPKey          = `SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections`
)

// Read returns the WinINET (HKCU) and WinHTTP (HKLM) proxy settings.
func Read() []Setting {
	var out []Setting
	if k, err := registry.OpenKey(registry.CURRENT_USER, InternetSettingsKey, registry.QUERY_VALUE); err == nil {
		enable, _, _ := k.GetIntegerValue("ProxyEnable")
		server, _, _ := k.GetStringValue("ProxyServer")
		override, _, _ := k.GetStringValue("ProxyOverride")
		pac, _, _ := k.GetStringValue("AutoConfigURL")
		k.Close()
		s, err := WinINET(uint32(enable), server, override, pac)
		out = append(out, s...)
		if err != nil {
			out = append(out, Setting{Source: SourceWinINET, Error: err.Error()})
		}
	}
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, WinHTTPKey, registry.QUERY_VALUE); err == nil {
		b, _, err := k.GetBinaryValue("WinHttpSettings")
		k.Close()
		if err == nil {
			s, err := ParseWinHTTPSettings(b)
			switch {
			case err != nil:
				out = append(out, Setting{Source: SourceWinHTTP, Error: err.Error()})
			case s != nil:
				out = append(out, *s)
			}
		} else if !errors.Is(err, registry.ErrNotExist) {
			out = append(out, Setting{Source: SourceWinHTTP, Error: err.Error()})
		}
	}
	return out
}
