package i18n

import "golang.org/x/sys/windows"

// x/sys/windows wraps GetUserPreferredUILanguages but not this one.
var procGetUserDefaultUILanguage = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetUserDefaultUILanguage")

// osUILanguage is the user's display language (Settings → Time & language →
// Language), which a Windows user sets instead of LANG.
func osUILanguage() string {
	if procGetUserDefaultUILanguage.Find() != nil {
		return ""
	}
	id, _, _ := procGetUserDefaultUILanguage.Call()
	return lcidLocale(uint16(id))
}

// lcidLocale names a LANGID's locale; only what decides zh-CN versus en matters.
func lcidLocale(id uint16) string {
	switch id {
	case 0:
		return ""
	case 0x0804: // zh-CN
		return "zh-CN"
	case 0x1004: // zh-SG
		return "zh-SG"
	case 0x0404, 0x0c04, 0x1404: // zh-TW, zh-HK, zh-MO
		return "zh-TW"
	}
	if id&0x3ff == 0x04 { // another Chinese sublanguage: Simplified is the default script
		return "zh"
	}
	return "en"
}
