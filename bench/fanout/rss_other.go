//go:build !darwin

package main

const rssUnit = 1024 // KiB
