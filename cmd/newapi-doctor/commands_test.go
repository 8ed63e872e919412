package main

import (
	"slices"
	"testing"
)

// TestCommandTree: the command tree is the explicit list in root.go, check
// included, whatever files' init() ran (issue 10 item 8).
func TestCommandTree(t *testing.T) {
	var got []string
	for _, c := range NewRootCmd(&Factory{}).Commands() {
		got = append(got, c.Name())
	}
	want := []string{"bundle", "check", "dns", "explain", "http", "ping", "proxy", "serve", "tcp", "tls", "trace"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("command %q missing from %v", w, got)
		}
	}
	if len(commands) != len(want) {
		t.Errorf("%d commands listed, want %d: a new command needs its row in this test too", len(commands), len(want))
	}
}
