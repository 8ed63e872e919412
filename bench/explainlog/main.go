// Command explainlog times `newapi-doctor explain --log` on a new-api log it
// generates (explaintest: new-api's real line order, 25% of requests
// failing over 40 channels of eight faults) and reports MB/s and peak RSS.
// It checks the verdicts too: a fast wrong answer is no figure. It exits 1
// when the throughput is under -min MB/s or the peak RSS over -maxrss MB.
//
// Throughput is bytes per CPU second of the child (user + system): on a
// shared machine the wall clock measures the neighbours, the CPU time the
// program. Both are printed; the best of -runs runs counts.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag/explain/explaintest"
)

type logReport struct {
	Log struct {
		Lines    int64 `json:"lines"`
		Errors   int64 `json:"errors"`
		Channels []struct {
			ID       int    `json:"id"`
			TopCause string `json:"top_cause"`
		} `json:"channels"`
	} `json:"log"`
}

func main() {
	bin := flag.String("bin", "bin/newapi-doctor", "the built binary")
	sizeMB := flag.Int("mb", 200, "size of the generated log, MiB")
	runs := flag.Int("runs", 3, "runs; the best counts")
	minMBs := flag.Float64("min", 150, "fail under this many MB/s (per CPU second)")
	maxRSS := flag.Float64("maxrss", 64, "fail over this peak RSS, MB")
	keep := flag.String("log", "", "write the generated log here and keep it (default: a temporary file)")
	flag.Parse()

	path := *keep
	if path == "" {
		dir, err := os.MkdirTemp("", "bench-explainlog")
		if err != nil {
			fail(2, "%v", err)
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "oneapi-20250301000000.log")
	}
	f, err := os.Create(path)
	if err != nil {
		fail(2, "%v", err)
	}
	if err := explaintest.Write(f, explaintest.Options{Size: int64(*sizeMB) << 20, Seed: 1}); err != nil {
		fail(2, "generate: %v", err)
	}
	if err := f.Close(); err != nil {
		fail(2, "%v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		fail(2, "%v", err)
	}
	size := float64(fi.Size())

	var bestCPU, bestWall time.Duration
	var peak float64
	for i := 0; i < *runs; i++ {
		cmd := exec.Command(*bin, "explain", "--log", path, "--format", "json")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		t := time.Now()
		if err := cmd.Run(); err != nil {
			fail(2, "%s: %v\n%s", *bin, err, errb.String())
		}
		wall := time.Since(t)
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		rss := peakRSSMB(cmd.ProcessState)
		if i == 0 {
			checkVerdicts(out.Bytes())
		}
		fmt.Printf("explainlog: run %d: wall %.2f s (%.0f MB/s), cpu %.2f s (%.0f MB/s), peak RSS %.1f MB\n",
			i+1, wall.Seconds(), size/1e6/wall.Seconds(), cpu.Seconds(), size/1e6/cpu.Seconds(), rss)
		if bestCPU == 0 || cpu < bestCPU {
			bestCPU = cpu
		}
		if bestWall == 0 || wall < bestWall {
			bestWall = wall
		}
		peak = max(peak, rss)
	}
	mbs := size / 1e6 / bestCPU.Seconds()
	fmt.Printf("explainlog: %s explain --log on %.0f MiB: %.0f MB/s per CPU second (bound %.0f), %.0f MB/s wall, peak RSS %.1f MB (bound %.0f)\n",
		*bin, size/(1<<20), mbs, *minMBs, size/1e6/bestWall.Seconds(), peak, *maxRSS)
	if mbs < *minMBs || peak > *maxRSS {
		fail(1, "explainlog: bound missed")
	}
}

// checkVerdicts: every generated channel has its fault's cause, and only that.
func checkVerdicts(out []byte) {
	var rep logReport
	if err := json.Unmarshal(out, &rep); err != nil {
		fail(2, "report: %v", err)
	}
	if len(rep.Log.Channels) == 0 {
		fail(1, "explainlog: no channels in the report")
	}
	for _, c := range rep.Log.Channels {
		if want := explaintest.FaultOf(c.ID).Cause; c.ID == 0 || c.TopCause != want {
			fail(1, "explainlog: channel #%d: %s, want %s", c.ID, c.TopCause, want)
		}
	}
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(code)
}
