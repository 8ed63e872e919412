package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestExplorerLaunch(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		procs int
		want  bool
	}{
		{"double-clicked: own console, no arguments", nil, 1, true},
		{"from cmd or PowerShell", nil, 2, false},
		{"no console (a service, a pipe)", nil, 0, false},
		{"own console but arguments (a shortcut with arguments)", []string{"check", "--format", "json"}, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := explorerLaunch(c.args, c.procs); got != c.want {
				t.Fatalf("explorerLaunch(%q, %d) = %v", c.args, c.procs, got)
			}
		})
	}
	var out bytes.Buffer
	waitForEnter(strings.NewReader("\n"), &out)
	if !strings.Contains(out.String(), "Press Enter") {
		t.Errorf("prompt %q", out.String())
	}
}
