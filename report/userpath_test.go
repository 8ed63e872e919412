package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// userPathReport is a desktop-app run whose messages, notes, hints and
// desktop section name the account in every path form.
func userPathReport(user string) *diag.Report {
	rep, _ := meaningReport("Zq9-unrelated-Xy")
	app := `C:\Users\` + user + `\AppData\Roaming\New API`
	e := &rep.Endpoints[0]
	e.Message = "open " + app + `\data\new-api.db: The process cannot access the file; also C:/Users/` + user + "/x and /home/" + user + "/.config"
	e.Notes = []string{"config from /Users/" + user + "/Library/Application Support/newapi-doctor/config.yaml"}
	e.Hint = "delete " + app + `\logs\oneapi-20261129.log`
	rep.Desktop = &diag.DesktopInfo{AppDir: app, DataDir: app + `\data`, DB: app + `\data\new-api.db`, Port: 3000,
		Logs: []diag.AppLog{{Path: app + `\logs\oneapi-20261129.log`}}, Notes: []string{"read " + app}}
	return rep
}

// TestUserPathsInEveryFormat: no format shows the account name, each keeps
// the rest of the path, and the scan passes what it wrote.
func TestUserPathsInEveryFormat(t *testing.T) {
	for _, user := range []string{"zhangwei", "Mary Ann", "张伟", "john_doe", "o.brien"} {
		for _, f := range Formats() {
			t.Run(f+" "+user, func(t *testing.T) {
				rd := redact.New(redact.LevelDefault, testAllow)
				var buf bytes.Buffer
				if err := Render(&buf, userPathReport(user), f, Options{Verbose: true, Redactor: rd}); err != nil {
					t.Fatal(err)
				}
				out := buf.String()
				for _, v := range []string{user, strings.ReplaceAll(user, "_", `\_`), strings.Fields(user)[0]} {
					if strings.Contains(out, v) {
						t.Errorf("shows %q:\n%s", v, out)
					}
				}
				if !strings.Contains(out, "AppData") || !strings.Contains(out, "user-") {
					t.Errorf("the path is not readable:\n%s", out)
				}
				if fs := rd.Scan(f, buf.Bytes()); len(fs) > 0 {
					t.Errorf("scan finds %v", fs)
				}
				// --no-redact shows the account (identity, like hosts).
				buf.Reset()
				if err := Render(&buf, userPathReport(user), f, Options{Verbose: true, Redactor: redact.New(redact.LevelNone, testAllow)}); err != nil {
					t.Fatal(err)
				}
				shown := strings.Fields(user)[0]
				if f == "markdown" {
					shown = redact.MarkdownEscaper.Replace(shown)
				}
				if f != "html" && !strings.Contains(buf.String(), shown) {
					t.Errorf("--no-redact hides the user name:\n%s", buf.String())
				}
			})
		}
	}
}
