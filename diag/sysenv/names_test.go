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
func TestHomeUser(t *testing.T) {
	for _, c := range []struct{ home, want string }{
		{"/home/alice", "alice"},
		{"/home/alice/", "alice"},
		{"/Users/bob", "bob"},
		{`C:\Users\Zhang San`, "Zhang San"},
		{`D:\Documents and Settings\li`, "li"},
		{"/var/home/carol", "carol"},
		// Not a person's home: a service's, a container's or a test's.
		{"/root", ""},
		{"/var/lib/new-api", ""},
		{"/tmp/nd-lab-1029368048", ""},
		{"/", ""},
		{"", ""},
		{"relative", ""},
	} {
		t.Run(c.home, func(t *testing.T) {
			if got := homeUser(c.home); got != c.want {
				t.Errorf("homeUser(%q) = %q, want %q", c.home, got, c.want)
			}
		})
	}
}

func TestNamesFromEnvSkipsNonPersonalHomes(t *testing.T) {
	env := map[string]string{"USER": "nobody", "HOME": "/tmp/nd-lab-42", "USERPROFILE": `C:\Users\wang`, "HOSTNAME": "vm"}
	users, machines := NamesFromEnv(func(k string) string { return env[k] })
	if !slices.Equal(users, []string{"nobody", "wang"}) {
		t.Errorf("users = %q, want [nobody wang]", users)
	}
	if !slices.Equal(machines, []string{"vm"}) {
		t.Errorf("machines = %q", machines)
	}
}
