//go:build !linux

package main

import "errors"

// blockedListeners needs Linux: the whole of 127/8 on loopback, and a
// kernel that drops SYNs to a full accept queue.
func blockedListeners(int) ([]string, func(), error) {
	return nil, nil, errors.New("-localise needs Linux (loopback addresses beyond 127.0.0.1)")
}
