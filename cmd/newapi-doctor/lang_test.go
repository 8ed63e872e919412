package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/i18n"
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
