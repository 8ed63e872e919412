package i18n

import (
	"strings"
	"testing"
)

func TestFromLocale(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"zh_CN.UTF-8", ZH, true}, {"zh_CN", ZH, true}, {"zh-Hans", ZH, true}, {"zh_SG", ZH, true},
		{"zh_CN.GB18030", ZH, true}, {"zh", ZH, true}, {"ZH-cn", ZH, true},
		{"zh_TW.UTF-8", EN, true}, {"zh-Hant", EN, true},
		{"C", EN, true}, {"POSIX", EN, true}, {"C.UTF-8", EN, true}, {"en_US.UTF-8", EN, true}, {"de_DE@euro", EN, true},
		{"", EN, false}, {"klingon!", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := FromLocale(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("FromLocale(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestFromEnvPrecedence(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want Lang
	}{
		{"LANG", map[string]string{"LANG": "zh_CN.UTF-8"}, ZH},
		{"LC_MESSAGES over LANG", map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, ZH},
		{"LC_ALL over all", map[string]string{"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "zh_CN", "LC_ALL": "C"}, EN},
		{"empty LC_ALL is unset", map[string]string{"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, ZH},
		{"garbage is English", map[string]string{"LANG": "!!"}, EN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FromEnv(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"zh-CN": ZH, "zh_CN": ZH, "en": EN, "EN": EN} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "fr", "zh-TW", "C", "klingon!"} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("Parse(%q) err = %v, want one naming the value", bad, err)
		}
	}
}

func TestCatalogue(t *testing.T) {
	Register(map[string]string{"test: %s at %s (%d%%)": "测试：%[2]s 上的 %[1]s（%[3]d%%）", "a literal 100% key": "字面的 100% 键"})
	if got := ZH.Sprintf("test: %s at %s (%d%%)", "x", "h:7890", 5); got != "测试：h:7890 上的 x（5%）" {
		t.Errorf("zh = %q", got)
	}
	if got := EN.Sprintf("test: %s at %s (%d%%)", "x", "h:7890", 5); got != "test: x at h:7890 (5%)" {
		t.Errorf("en = %q", got)
	}
	if got := ZH.T("a literal 100% key"); got != "字面的 100% 键" {
		t.Errorf("T = %q", got)
	}
	ResetMissing()
	_ = ZH.T("never registered")
	if m := MissingKeys(); len(m) != 1 || m[0] != "never registered" {
		t.Errorf("MissingKeys = %q", m)
	}
}

// check formats hints from many endpoints at once: the catalogue printer is
// shared (run with -race).
func TestConcurrentSprintf(t *testing.T) {
	Register(map[string]string{"port %s of %s": "%[2]s 的端口 %[1]s"})
	done := make(chan string, 16)
	for i := range 16 {
		go func() {
			if i%2 == 0 {
				done <- ZH.Sprintf("port %s of %s", "7890", "h")
			} else {
				done <- EN.Sprintf("port %s of %s", "7890", "h")
			}
		}()
	}
	for range 16 {
		if s := <-done; s != "h 的端口 7890" && s != "port 7890 of h" {
			t.Errorf("got %q", s)
		}
	}
}
