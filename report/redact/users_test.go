package redact

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestUserPathsGolden: the user folder of a home path, in every form a
// renderer writes it, becomes a pseudonym; the rest of the path stays.
func TestUserPathsGolden(t *testing.T) {
	const roaming = `\AppData\Roaming\New API\logs\oneapi-20260101.log`
	runGolden(t, []golden{
		{"windows", `C:\Users\zhangwei` + roaming, `C:\Users\user-X` + roaming, LevelDefault},
		{"windows lower case", `c:\users\ZhangWei\x`, `c:\users\user-X\x`, LevelDefault},
		{"json escaped", `{"app_dir":"C:\\Users\\zhangwei\\AppData\\Roaming\\New API"}`, `{"app_dir":"C:\\Users\\user-X\\AppData\\Roaming\\New API"}`, LevelDefault},
		{"json in json", `"{\"p\":\"C:\\\\Users\\\\zhangwei\\\\x\"}"`, `"{\"p\":\"C:\\\\Users\\\\user-X\\\\x\"}"`, LevelDefault},
		{"forward slashes", "C:/Users/zhangwei/AppData/Roaming", "C:/Users/user-X/AppData/Roaming", LevelDefault},
		{"drive lower case slashes", "d:/users/zhangwei/x", "d:/users/user-X/x", LevelDefault},
		{"extended length", `\\?\C:\Users\zhangwei\x`, `\\?\C:\Users\user-X\x`, LevelDefault},
		{"github property", `title=C%3A\Users\zhangwei\x`, `title=C%3A\Users\user-X\x`, LevelDefault},
		{"space in the name", `C:\Users\Mary Ann\AppData`, `C:\Users\user-X\AppData`, LevelDefault},
		{"space, quoted", `"C:\Users\Mary Ann"`, `"C:\Users\user-X"`, LevelDefault},
		{"name ends the path in prose", `C:\Users\bob2 is missing. Then C:\Users\bob2.`, `C:\Users\user-X is missing. Then C:\Users\user-X.`, LevelDefault},
		{"chinese name", `C:\Users\张伟\AppData`, `C:\Users\user-X\AppData`, LevelDefault},
		{"url encoded", "file:///C:/Users/%E5%BC%A0%E4%BC%9F/x.log u=C%3A%5CUsers%5Czw%5Cx", "file:///C:/Users/user-X/x.log u=C%3A%5CUsers%5Cuser-X%5Cx", LevelDefault},
		{"markdown escaped", `C:\\Users\\john\_doe\\AppData`, `C:\\Users\\user-X\\AppData`, LevelDefault},
		{"xp", `C:\Documents and Settings\bob2\x`, `C:\Documents and Settings\user-X\x`, LevelDefault},
		{"linux", "open /home/alice/.config/newapi-doctor/config.yaml: permission denied", "open /home/user-X/.config/newapi-doctor/config.yaml: permission denied", LevelDefault},
		{"linux dotted name", "/home/john.smith/x", "/home/user-X/x", LevelStrict},
		{"linux file url and list", "file:///home/alice/a PATH=/usr/bin:/home/alice/bin", "file:///home/user-X/a PATH=/usr/bin:/home/user-X/bin", LevelDefault},
		{"silverblue", "/var/home/alice/x", "/var/home/user-X/x", LevelDefault},
		{"macos", "/Users/alice/Library/Logs", "/Users/user-X/Library/Logs", LevelDefault},
		{"wsl", "/mnt/c/Users/alice/AppData", "/mnt/c/Users/user-X/AppData", LevelDefault},
		// stays
		{"root stays", "/root/.config/x /home/ /home", "/root/.config/x /home/ /home", LevelDefault},
		{"no one's folders stay", `C:\Users\Public\Desktop C:\Users\Default\x /Users/Shared/x`, `C:\Users\Public\Desktop C:\Users\Default\x /Users/Shared/x`, LevelDefault},
		{"a url's home is no home", "https://example.com/en/home/page GET /api/users/self", "https://host-X/en/home/page GET /api/users/self", LevelDefault},
		{"none shows user names", `C:\Users\zhangwei\x /home/alice/y`, `C:\Users\zhangwei\x /home/alice/y`, LevelNone},
		{"pseudonyms stay", `C:\Users\user-3f2a1c\x`, `C:\Users\user-X\x`, LevelDefault},
	})
}

// TestUserPathsAreOnePseudonym: one account gets one pseudonym whatever the
// form it was written in, and Map names it.
func TestUserPathsAreOnePseudonym(t *testing.T) {
	r := New(LevelDefault, nil)
	out := r.String(`C:\Users\ZhangWei\a C:\\Users\\zhangwei\\b /home/zhangwei/c C:\Users\other\d`)
	toks := rePseudo.FindAllString(out, -1)
	if len(toks) != 4 || toks[0] != toks[1] || toks[1] != toks[2] || toks[2] == toks[3] {
		t.Fatalf("pseudonyms %v in %s", toks, out)
	}
	if r.Map()[toks[0]] != "zhangwei" {
		t.Errorf("map: %v", r.Map())
	}
	if got := r.Stats()[RuleUserPath]; got != 4 {
		t.Errorf("stats user-path = %d, want 4", got)
	}
}

// TestRegisteredIdentities: the OS user and the hostname, registered, are
// hidden where they stand as names; a plain word only there, never in prose
// or in a JSON value (category "proxy" must stay); a distinctive one
// anywhere; never inside an endpoint name.
func TestRegisteredIdentities(t *testing.T) {
	cases := []struct {
		name, user, machine, in, want string
	}{
		{"profile elsewhere", "zhangwei", "", `D:\Profiles\zhangwei\x CORP\zhangwei USER=zhangwei zhangwei@desk`, `D:\Profiles\user-X\x CORP\user-X USER=user-X user-X@desk`},
		{"plain word in prose stays", "proxy", "", `{"category": "proxy"} the proxy refused; /srv/proxy/x`, `{"category": "proxy"} the proxy refused; /srv/user-X/x`},
		{"distinctive anywhere", "zw-2024x", "DESKTOP-AB12CD", "by zw-2024x on DESKTOP-AB12CD (desktop-ab12cd.lan) \\\\DESKTOP-AB12CD\\share", "by user-X on host-X (host-X) \\\\host-X\\share"},
		{"plain hostname", "bob2", "ubuntu", "Ubuntu 22.04 on bob2@ubuntu", "Ubuntu 22.04 on user-X@host-X"},
		{"inside an endpoint name", "zw-2024x", "", "endpoint relay-zw-2024x-main ok", "endpoint relay-zw-2024x-main ok"},
		{"no one's names are not registered", "root", "localhost", "root@localhost /root", "root@localhost /root"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := New(LevelDefault, nil)
			r.AddName("relay-zw-2024x-main")
			r.AddUser(tc.user)
			r.AddMachine(tc.machine)
			if got := norm(r.String(tc.in)); got != tc.want {
				t.Errorf("\n in: %s\ngot: %s\nwant %s", tc.in, got, tc.want)
			}
			none := New(LevelNone, nil)
			none.AddUser(tc.user)
			none.AddMachine(tc.machine)
			if got := none.String(tc.in); got != tc.in {
				t.Errorf("--no-redact hides a name: %s", got)
			}
		})
	}
}

// TestScanFindsUserPaths: bundle verify's scan (nothing registered) flags
// a home path with a user name by shape; a redacted one passes.
func TestScanFindsUserPaths(t *testing.T) {
	r := New(LevelDefault, nil)
	in := "ok line\n" + `{"data_dir": "C:\\Users\\zhangwei\\AppData\\Roaming\\New API\\data"}` + "\nlog /home/alice/x\n"
	fs := r.Scan("report.json", []byte(in))
	if len(fs) != 2 || fs[0].Rule != RuleUserPath || fs[0].Line != 2 || fs[1].Line != 3 {
		t.Fatalf("findings %v", fs)
	}
	for _, f := range fs {
		if strings.Contains(f.String(), "zhangwei") || strings.Contains(f.String(), "alice") {
			t.Errorf("a finding names the value: %s", f)
		}
	}
	red := New(LevelDefault, nil).Bytes([]byte(in))
	if fs := r.Scan("report.json", red); len(fs) != 0 {
		t.Errorf("redacted output still flagged: %v\n%s", fs, red)
	}
	if !json.Valid(red[8 : len(red)-len("\nlog /home/user-000000/x\n")]) {
		t.Errorf("JSON broken: %s", red)
	}
	m := New(LevelDefault, nil)
	m.AddMachine("DESKTOP-AB12CD")
	if fs := m.Scan("x", []byte("host DESKTOP-AB12CD")); len(fs) != 1 || fs[0].Rule != RuleHostReg {
		t.Errorf("registered machine name not flagged: %v", fs)
	}
}

// FuzzUserPath: an account name planted in a home path, in each form a
// renderer writes it, never survives at the default level; Scan passes the
// result; no input panics the engine.
func FuzzUserPath(f *testing.F) {
	f.Add("open ", "zhangwei", `\AppData\Roaming\New API`)
	f.Add(`{"p":"`, "Mary Ann", `\\x"}`)
	f.Add("see ", "张伟", "/.config")
	f.Add("", "john_doe", `\`)
	f.Add("/srv/", "o.brien", "/x.log")
	f.Fuzz(func(t *testing.T, pre, name, post string) {
		r := New(LevelDefault, nil)
		_ = r.Scan("x", []byte(pre+name+post))
		_ = r.String(pre + name + post)
		// A plausible account name: no path or stop characters, not a
		// folder that names no one, not found elsewhere in the input.
		if len(name) < 2 || strings.TrimSpace(name) != name || strings.ContainsAny(name, `\/%.@`) ||
			strings.IndexFunc(name, func(c rune) bool { return c < 0x20 || (c < 0x80 && userStop(byte(c))) }) >= 0 ||
			notPersonal[strings.ToLower(name)] || isPseudonym([]byte(strings.ToLower(name))) ||
			strings.Contains(pre+post, name) || strings.Contains(strings.ToLower(name), "user-") {
			return
		}
		for _, form := range []string{` C:\Users\%s\x `, ` "C:\\Users\\%s\\x" `, ` /home/%s/x `, ` /Users/%s/x `} {
			in := pre + strings.Replace(form, "%s", name, 1) + post
			out := r.String(in)
			// The name (possibly a piece of a pseudonym's hex) is gone
			// from its place, and the pseudonym stands there.
			if want := strings.Replace(form, "%s", "user-X", 1); !strings.Contains(norm(out), want) {
				t.Fatalf("%q: want %q in %q", name, want, out)
			}
			for _, f := range r.Scan("x", []byte(out)) {
				if f.Rule == RuleUserPath {
					t.Fatalf("scan flags %q: %v", out, f)
				}
			}
		}
	})
}
