package sysenv

import (
	"os"
	"os/user"
	"strings"
)

// NamesFromEnv are the account and machine names the environment spells
// (USER, USERNAME, LOGNAME, the last folder of HOME and USERPROFILE;
// COMPUTERNAME, HOSTNAME): values the redactor hides (issue: user paths).
func NamesFromEnv(getenv func(string) string) (users, machines []string) {
	for _, k := range []string{"USER", "USERNAME", "LOGNAME"} {
		users = append(users, getenv(k))
	}
	for _, k := range []string{"HOME", "USERPROFILE"} {
		if u := homeUser(getenv(k)); u != "" {
			users = append(users, u)
		}
	}
	for _, k := range []string{"COMPUTERNAME", "HOSTNAME"} {
		machines = append(machines, getenv(k))
	}
	return compact(users), compact(machines)
}

// LocalNames adds what the OS says to NamesFromEnv: the current account
// (DOMAIN\name on Windows gives name) and os.Hostname.
func LocalNames(getenv func(string) string) (users, machines []string) {
	users, machines = NamesFromEnv(getenv)
	if u, err := user.Current(); err == nil {
		name := u.Username
		users = append(users, name[strings.LastIndexByte(name, '\\')+1:])
	}
	if h, err := os.Hostname(); err == nil {
		machines = append(machines, h)
	}
	return compact(users), compact(machines)
}

func compact(v []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range v {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// homeUser is the account name a home directory carries: its last segment,
// but only under a conventional home root (/home/alice, /Users/alice,
// C:\Users\alice). A service's or a test's HOME (/var/lib/new-api,
// /tmp/x) names no person, and registering its last segment hid ordinary
// path segments (a setcap fix's /tmp/<dir>/newapi-doctor) as an account.
func homeUser(home string) string {
	h := strings.TrimRight(home, `/\`)
	i := strings.LastIndexAny(h, `/\`)
	if h == "" || i < 0 {
		return ""
	}
	parent := strings.ToLower(strings.ReplaceAll(h[:i], `\`, "/"))
	if len(parent) >= 2 && parent[1] == ':' {
		parent = parent[2:] // C:\Users → /users
	}
	switch parent {
	case "/home", "/users", "/export/home", "/var/home", "/documents and settings":
		return h[i+1:]
	}
	return ""
}
