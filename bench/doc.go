// Package bench holds newapi-doctor's benchmarks: classifier and redaction
// throughput as Go benchmarks (go test -bench . ./bench/), the fan-out
// benchmark (./fanout: 1,000 loopback endpoints of mixed faults, wall time
// against the slowest single endpoint, peak RSS, descriptors held), the
// start-up benchmark (./startup: `newapi-doctor --version`) and the log
// benchmark (./explainlog: `explain --log` on a generated 200 MiB new-api
// log, MB/s and peak RSS, verdicts checked). `make bench` runs them all;
// docs/benchmarks.md records the figures.
package bench
