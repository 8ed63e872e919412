package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
)

func TestLangFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want i18n.Lang
	}{
		{"flag zh-CN", nil, []string{"--lang", "zh-CN"}, i18n.ZH},
		{"flag en beats LANG", map[string]string{"LANG": "zh_CN.UTF-8"}, []string{"--lang", "en"}, i18n.EN},
		{"LANG", map[string]string{"LANG": "zh_CN.UTF-8"}, nil, i18n.ZH},
		{"LC_ALL=C beats LANG", map[string]string{"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, nil, i18n.EN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _, _ := testFactoryEnv(tc.env)
			args := append(append([]string{}, tc.args...), "explain", "dial tcp 127.0.0.1:3000: connect: connection refused")
			Execute(t.Context(), f, args)
			if f.Lang() != tc.want {
				t.Errorf("lang = %q, want %q", f.Lang(), tc.want)
			}
		})
	}
}

func TestLangFlagBadValue(t *testing.T) {
	f, _, errb := testFactoryEnv(nil)
	if code := Execute(t.Context(), f, []string{"--lang", "klingon", "explain", "x"}); code != ExitUsage {
		t.Errorf("exit %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(errb.String(), `"klingon"`) || !strings.Contains(errb.String(), "--lang") {
		t.Errorf("stderr %q does not name the value", errb.String())
	}
}

// testFactoryEnv is an in-process CLI with a fixed environment.
func testFactoryEnv(env map[string]string) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		Getenv: func(k string) string { return env[k] }, Version: "t"}
	return f, &out, &errOut
}

// The commands' own lines follow --lang too.
func TestLangCommandLines(t *testing.T) {
	i18n.ResetMissing()
	f, out, _ := testFactoryEnv(nil)
	file := filepath.Join(testenv.TempDir(t), "clean.txt")
	if err := os.WriteFile(file, []byte("nothing to hide here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := Execute(t.Context(), f, []string{"--lang", "zh-CN", "bundle", "verify", file}); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "正常（不是 zip") {
		t.Errorf("bundle verify: %q", out.String())
	}
	for _, all := range []bool{true, false} {
		if s := disabledWord(i18n.ZH, 2, 3, all); !hanRE.MatchString(s) || !strings.Contains(s, "--all") {
			t.Errorf("disabledWord(%v) = %q", all, s)
		}
	}
	if m := i18n.MissingKeys(); len(m) > 0 {
		t.Errorf("no Chinese form for %q", m)
	}
}
