package desktop

import (
	"regexp"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// The desktop hints have Chinese forms that keep their port, PID, range and commands.
func TestDesktopHintsChinese(t *testing.T) {
	defer i18n.SetDefault(i18n.Default())
	i18n.SetDefault(i18n.ZH)
	i18n.ResetMissing()
	han := regexp.MustCompile(`\p{Han}`)
	for _, tc := range []struct {
		hint  string
		facts []string
	}{
		{portTakenHint(3000, &diag.PortOwner{}), []string{"3000", "`netstat -ano | findstr :3000`", "10048", "PORT"}},
		{portTakenHint(3000, &diag.PortOwner{PID: 4321, Process: "clash.exe"}), []string{"3000", "PID 4321 (clash.exe)", "`taskkill /PID 4321`"}},
		{excludedHint(3000, diag.PortRange{Start: 2950, End: 3049}), []string{"3000", "2950-3049", "10013", "startport=3000", "`net stop winnat`"}},
	} {
		if !han.MatchString(tc.hint) {
			t.Errorf("not Chinese: %s", tc.hint)
		}
		for _, f := range tc.facts {
			if !strings.Contains(tc.hint, f) {
				t.Errorf("%q lacks %q", tc.hint, f)
			}
		}
	}
	if m := i18n.MissingKeys(); len(m) > 0 {
		t.Errorf("no Chinese form for %q", m)
	}
}
