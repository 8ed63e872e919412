//go:build !unix

package main

func peakRSSMB() float64 { return 0 }
func noFile() uint64     { return 0 }
