package diag

import (
	_ "embed"
)

// defaultsYAML is parsed by ParseConfig itself, so the default can never
// drift from what a user's config may say.
//
//go:embed defaults.yaml
var defaultsYAML []byte

// DefaultSource is Endpoint.Source for the embedded default.
const DefaultSource = "default"

// DefaultConfig is the embedded default: the upstreams new-api relays to
// most plus a local new-api at 127.0.0.1:3000. Each call returns a fresh copy.
func DefaultConfig() *Config {
	cfg, err := ParseConfig("defaults.yaml", defaultsYAML, func(string) string { return "" })
	if err != nil {
		// Pinned by TestDefaultConfig; reaching this is a build defect.
		panic("diag: embedded defaults.yaml: " + err.Error())
	}
	for i := range cfg.Endpoints {
		cfg.Endpoints[i].Source = DefaultSource
	}
	return cfg
}
