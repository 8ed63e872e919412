package sysproxy

import (
	"context"
	"os/exec"
	"time"
)

// Read returns the macOS proxy settings (System Settings → Network → Proxies).
func Read() []Setting {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "scutil", "--proxy").Output()
	if err != nil {
		return nil
	}
	return ParseScutil(string(out))
}
