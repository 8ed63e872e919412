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
		if h := strings.TrimRight(getenv(k), `/\`); h != "" {
			users = append(users, h[strings.LastIndexAny(h, `/\`)+1:])
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
