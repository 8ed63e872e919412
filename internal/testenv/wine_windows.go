package testenv

import (
	"sync"

	"golang.org/x/sys/windows"
)

var wineOnce = sync.OnceValue(func() bool {
	// wine's ntdll exports wine_get_version; Windows' never does.
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
})

// Wine reports whether this Windows binary runs under wine.
func Wine() bool { return wineOnce() }
