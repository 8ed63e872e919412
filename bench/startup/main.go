// Command startup times `newapi-doctor --version` (process start to exit) over
// many runs and prints min, median and p90: the figure a shell completion or a
// CI step pays on every call. It exits 1 when the median exceeds -max.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/newapi-doctor", "the built binary")
	n := flag.Int("n", 100, "runs")
	limit := flag.Duration("max", 20*time.Millisecond, "the median must stay under this")
	flag.Parse()
	// One warm-up run: the first exec pays for the page cache, not the binary.
	if out, err := exec.Command(*bin, "--version").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "startup: %s --version: %v\n%s", *bin, err, out)
		os.Exit(2)
	}
	ds := make([]time.Duration, 0, *n)
	for i := 0; i < *n; i++ {
		cmd := exec.Command(*bin, "--version")
		t := time.Now()
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "startup: run %d: %v\n", i, err)
			os.Exit(2)
		}
		ds = append(ds, time.Since(t))
	}
	slices.Sort(ds)
	med := ds[len(ds)/2]
	p90 := ds[len(ds)*9/10]
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("startup: %s --version over %d runs: min %.1f ms, median %.1f ms, p90 %.1f ms (limit %.0f ms)\n",
		*bin, *n, ms(ds[0]), ms(med), ms(p90), ms(*limit))
	if med > *limit {
		os.Exit(1)
	}
}
