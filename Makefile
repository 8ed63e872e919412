# newapi-doctor — build, test and benchmark targets.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN     := bin/newapi-doctor
# A count, not a duration: a duration races Go's fuzz coordinator at the
# deadline and fails with a bare "context deadline exceeded" on go1.26
# (go.dev/issue/75804, fixed in 1.27); a count has no deadline to race.
FUZZTIME ?= 20000x

.PHONY: all build test test-short vet fmt-check cross fuzz bench clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/newapi-doctor

# The test command (README, .ci/run). Runs everything: unit tests with
# in-process fakes, the built-binary end-to-end tests, the real PostgreSQL /
# MariaDB tests (.ci/services.sh starts them) and, as root, the network
# namespace fault lab. Tests whose prerequisite is absent skip with a reason.
test:
	$(GO) test -count=1 -timeout 20m ./...

# Fast loop for development: no lab, no database servers needed.
test-short:
	$(GO) test -short -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

cross:
	GOOS=windows GOARCH=amd64 $(GO) build -o /dev/null ./...
	GOOS=darwin  GOARCH=arm64 $(GO) build -o /dev/null ./...
	GOOS=linux   GOARCH=arm64 $(GO) build -o /dev/null ./...

# Short runs of every fuzz target (the seed corpora also run in `make test`).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

clean:
	rm -rf bin

# ---- bench (CI preflight / fleet issue) -------------------------------------
# Classifier and redaction throughput (Go benchmarks); the fan-out of 200 and
# 1,000 loopback endpoints of mixed faults (wall time against the slowest single
# endpoint, peak RSS, most descriptors held; again under a 1,024-descriptor
# limit); `--version` start-up time; `explain --log` on a generated 200 MiB
# new-api log (MB/s, peak RSS). Each step fails when its bound is missed.
# Figures and the machine they came from: docs/benchmarks.md.
bench: build
	@echo "machine: $$(nproc) CPU(s), $$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//'), $$(uname -sr)"
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./bench/
	$(GO) build -o bin/bench-fanout ./bench/fanout
	$(GO) build -o bin/bench-startup ./bench/startup
	./bin/bench-fanout -n 200
	./bin/bench-fanout -n 1000
	@if command -v prlimit >/dev/null; then \
	  echo "prlimit --nofile=1024:1024 ./bin/bench-fanout -n 1000"; \
	  prlimit --nofile=1024:1024 ./bin/bench-fanout -n 1000; \
	else echo "prlimit not found: skipped the 1,024-descriptor run"; fi
	@echo "./bin/bench-fanout -n 1000 -localise 250 -max-ratio 1.3   # as $$(id -un)"
	./bin/bench-fanout -n 1000 -localise 250 -max-ratio 1.3
	@if [ "$$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then \
	  echo "setpriv --reuid=nobody --regid=nogroup --clear-groups ./bin/bench-fanout -n 1000 -localise 250 -max-ratio 1.3"; \
	  chmod o+rx bin bin/bench-fanout; \
	  setpriv --reuid=nobody --regid=nogroup --clear-groups ./bin/bench-fanout -n 1000 -localise 250 -max-ratio 1.3; \
	else echo "not root (or no setpriv): the run above was the unprivileged one; the root run needs sudo make bench"; fi
	./bin/bench-startup -bin $(BIN)
	$(GO) build -o bin/bench-explainlog ./bench/explainlog
	./bin/bench-explainlog -bin $(BIN)
