package sysenv

import (
	"slices"
	"testing"
)

func TestNamesFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name            string
		env             map[string]string
		users, machines []string
	}{
		{"windows", map[string]string{"USERNAME": "zhangwei", "USERPROFILE": `C:\Users\zhang.wei\`, "COMPUTERNAME": "DESKTOP-AB12CD"},
			[]string{"zhangwei", "zhang.wei"}, []string{"DESKTOP-AB12CD"}},
		{"linux", map[string]string{"USER": "alice", "LOGNAME": "alice", "HOME": "/home/alice", "HOSTNAME": "box1"},
			[]string{"alice"}, []string{"box1"}},
		{"nothing", map[string]string{"HOME": "/"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, m := NamesFromEnv(func(k string) string { return tc.env[k] })
			if !slices.Equal(u, tc.users) || !slices.Equal(m, tc.machines) {
				t.Errorf("got %q %q, want %q %q", u, m, tc.users, tc.machines)
			}
		})
	}
}
