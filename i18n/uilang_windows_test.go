package i18n

import (
	"testing"

	"golang.org/x/sys/windows"
)

func TestLCIDLocale(t *testing.T) {
	for _, tc := range []struct {
		id   uint16
		want Lang
	}{
		{0x0804, ZH}, {0x1004, ZH}, {0x7804, ZH}, {0x0404, EN}, {0x0c04, EN}, {0x0409, EN}, {0x0407, EN},
	} {
		if got, _ := FromLocale(lcidLocale(tc.id)); got != tc.want {
			t.Errorf("LANGID %#04x → %q → %q, want %q", tc.id, lcidLocale(tc.id), got, tc.want)
		}
	}
}

// The LANGID Windows (or wine) gives agrees with the preferred-language
// list it gives through the other API.
func TestOSUILanguage(t *testing.T) {
	got := osUILanguage()
	if got == "" {
		t.Fatal("GetUserDefaultUILanguage gave nothing")
	}
	names, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil || len(names) == 0 {
		t.Fatalf("GetUserPreferredUILanguages: %v %v", names, err)
	}
	a, _ := FromLocale(got)
	b, _ := FromLocale(names[0])
	if a != b {
		t.Errorf("UI language %q reads %q, but the preferred list starts with %q (%q)", got, a, names[0], b)
	}
	// No locale variable set: the UI language decides.
	if l := FromEnv(func(string) string { return "" }); l != a {
		t.Errorf("FromEnv with no LANG = %q, want the UI language's %q", l, a)
	}
}
