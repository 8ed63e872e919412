# newapi-doctor — build, test and benchmark targets.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN     := bin/newapi-doctor
FUZZTIME ?= 10s

.PHONY: all build test test-short vet fmt-check cross fuzz bench lab clean

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
