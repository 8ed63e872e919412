//go:build !windows

package main

// consoleProcesses: only Windows starts a program in a console of its own.
func consoleProcesses() int { return 0 }
