package main

import (
	"bufio"
	"fmt"
	"io"
)

// explorerLaunch: a double-clicked exe gets a console of its own (this
// process is the only one attached) and no arguments. Printing usage and
// exiting would flash a window that vanishes; run `check` and keep the
// window open instead (issue 12.5).
func explorerLaunch(args []string, consoleProcesses int) bool {
	return len(args) == 0 && consoleProcesses == 1
}

// waitForEnter keeps a double-clicked console open until the user has read it.
func waitForEnter(in io.Reader, out io.Writer) {
	fmt.Fprint(out, "\nPress Enter to close this window… (按回车键关闭)\n")
	_, _ = bufio.NewReader(in).ReadString('\n')
}
