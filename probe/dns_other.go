//go:build !windows

package probe

import "os"

// systemNameservers reads the resolver configuration. known is false when the
// platform's configuration cannot be read this way; a missing file counts as
// "no resolver configured", as it does for the libc and Go resolvers (both
// then fall back to a local server that is usually absent).
func systemNameservers(path string) (servers []string, known bool) {
	if path == "" {
		path = DefaultResolvConf
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, os.IsNotExist(err)
	}
	return parseResolvConf(string(b)), true
}
