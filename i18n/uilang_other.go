//go:build !windows

package i18n

// osUILanguage: outside Windows the locale variables are the whole story.
func osUILanguage() string { return "" }
