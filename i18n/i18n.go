// Package i18n is the language of what a person reads: English (the
// contract's wording, and the key of every message) or Simplified Chinese.
// Identifiers (causes, categories, layers, JSON field names, flags, commands)
// are never translated.
//
// Messages are golang.org/x/text/message keys: the English format string is
// the key, and each package registers its Chinese forms (a zh_*.go file next
// to the English) with Register. English output is plain fmt formatting of
// the key, so it is byte for byte what it was before translations existed.
package i18n

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Lang is an output language, as --lang spells it.
type Lang string

const (
	EN Lang = "en"
	ZH Lang = "zh-CN"
)

// Langs are the values --lang takes.
func Langs() []Lang { return []Lang{ZH, EN} }

// Parse reads a --lang value (case and '_' versus '-' do not matter).
func Parse(s string) (Lang, error) {
	low := strings.ToLower(s)
	if l, ok := FromLocale(s); ok && (l == ZH || strings.HasPrefix(low, "en")) {
		return l, nil
	}
	return "", fmt.Errorf("%q is not one of zh-CN, en", s)
}

// FromLocale maps a POSIX locale (zh_CN.UTF-8, en_US, C) or a BCP 47 tag
// (zh-Hans, zh-SG) to a Lang; ok is false for a locale that names neither.
// Every Chinese locale but the traditional-script ones reads Simplified
// Chinese; C and POSIX are English.
func FromLocale(s string) (Lang, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".@"); i >= 0 { // zh_CN.UTF-8, de_DE@euro
		s = s[:i]
	}
	s = strings.ToLower(strings.ReplaceAll(s, "_", "-"))
	switch {
	case s == "" || s == "c" || s == "posix":
		return EN, s != ""
	case s == "zh" || strings.HasPrefix(s, "zh-"):
		switch s {
		case "zh-tw", "zh-hk", "zh-mo", "zh-hant", "zh-hant-tw", "zh-hant-hk":
			// Traditional script: no catalogue for it; English beats the wrong script.
			return EN, true
		}
		return ZH, true
	case s == "en" || strings.HasPrefix(s, "en-"):
		return EN, true
	}
	if _, err := language.Parse(s); err == nil {
		return EN, true // a real locale we have no catalogue for
	}
	return "", false
}

// FromEnv picks the default language: LC_ALL, then LC_MESSAGES, then LANG
// (POSIX precedence: the first one set and non-empty decides, even when it
// is C), then the OS user's UI language (Windows), else English.
func FromEnv(getenv func(string) string) Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := getenv(v); s != "" {
			if l, ok := FromLocale(s); ok {
				return l
			}
			return EN
		}
	}
	if l, ok := FromLocale(osUILanguage()); ok {
		return l
	}
	return EN
}

var (
	mu      sync.RWMutex
	zhKeys  = map[string]string{}
	builder = catalog.NewBuilder(catalog.Fallback(language.English))
	zh      = message.NewPrinter(language.SimplifiedChinese, message.Catalog(builder))
	missing sync.Map // zh keys asked for and not registered (tests read them)
	current atomic.Value
)

// Register adds Chinese forms: English format string → Chinese format
// string, with the same verbs in the same order. Call it from init.
func Register(zhCN map[string]string) {
	mu.Lock()
	defer mu.Unlock()
	for k, v := range zhCN {
		if err := builder.SetString(language.SimplifiedChinese, k, v); err != nil {
			panic("i18n: " + k + ": " + err.Error())
		}
		zhKeys[k] = v
	}
}

// Has reports whether key has a Chinese form.
func Has(key string) bool {
	mu.RLock()
	defer mu.RUnlock()
	_, ok := zhKeys[key]
	return ok
}

// Sprintf formats key in the language. English is fmt.Sprintf of the key;
// Chinese goes through the catalogue (x/text/message), falling back to the
// English key when no Chinese form exists (recorded for MissingKeys).
// x/text groups digits of %d in numbers ≥ 1000: pass ports and errnos as
// strings (%s).
func (l Lang) Sprintf(key string, a ...any) string {
	if l != ZH {
		if len(a) == 0 {
			return key
		}
		return fmt.Sprintf(key, a...)
	}
	if !Has(key) {
		missing.Store(key, true)
	}
	return zh.Sprintf(key, a...)
}

// T is Sprintf without arguments: a fixed message (a '%' in it is literal).
func (l Lang) T(key string) string {
	if l != ZH || key == "" {
		return key
	}
	mu.RLock()
	v, ok := zhKeys[key]
	mu.RUnlock()
	if !ok {
		missing.Store(key, true)
		return key
	}
	if strings.Contains(v, "%") { // a literal '%' (%APPDATA%): not a format
		return v
	}
	return zh.Sprintf(key)
}

// MissingKeys are the keys asked for in Chinese that had no Chinese form
// since the last ResetMissing (sorted).
func MissingKeys() []string {
	var out []string
	missing.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	sort.Strings(out)
	return out
}

// ResetMissing forgets the recorded misses.
func ResetMissing() { missing.Range(func(k, _ any) bool { missing.Delete(k); return true }) }

// SetDefault sets the process's language (the CLI does, from --lang). Code
// that formats a message without being told a language uses it.
func SetDefault(l Lang) { current.Store(l) }

// Default is the process's language (English until SetDefault).
func Default() Lang {
	if l, ok := current.Load().(Lang); ok {
		return l
	}
	return EN
}

// Or is l, or the process's default when l is empty.
func (l Lang) Or() Lang {
	if l == "" {
		return Default()
	}
	return l
}

// IsZH reports whether the language is Chinese.
func (l Lang) IsZH() bool { return l == ZH }
