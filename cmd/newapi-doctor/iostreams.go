package main

import (
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IOStreams is injected into every command so tests assert on buffers and
// the TTY decision (colour, progress, human layout) is made in one place.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	IsTTY  bool // Out is a terminal
	ErrTTY bool // ErrOut is a terminal (progress lines)
}

// SystemIO wires the process's standard streams.
func SystemIO() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		IsTTY:  isTerminal(os.Stdout),
		ErrTTY: isTerminal(os.Stderr),
	}
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
