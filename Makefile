# Tangent: the two commands a fresh machine needs are `make demo` and `make test`.
GO       ?= go
BIN      := bin/tangent
DATA_DIR ?= /usr/share/datasets/fashion-mnist

.PHONY: all build demo test bench data lint fmt-check vet clean pgo

all: build

# build uses profile-guided optimization: go build picks up
# cmd/tangent/default.pgo, a CPU profile of the ledger benchmark (see pgo).
build:
	$(GO) build -o $(BIN) ./cmd/tangent

# data installs Fashion-MNIST from Debian when it is not there yet.
data:
	@if [ ! -f $(DATA_DIR)/train-images-idx3-ubyte.gz ] && [ ! -f $(DATA_DIR)/train-images-idx3-ubyte ]; then \
		echo "installing Fashion-MNIST (Debian package dataset-fashion-mnist)"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO apt-get install -y dataset-fashion-mnist; \
	fi

# demo runs the main job as far as it exists: central, bit-exact training of
# cnn-small on Fashion-MNIST with a progress bar, then its JSON summary.
demo: build data
	$(BIN) train --model cnn-small --data $(DATA_DIR) --epochs 10 --batch 64 --lr 0.05 --momentum 0.9 --lr-decay linear --seed 1 --out demo-cnn-small.safetensors --json

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# test is what CI runs (.ci/run). Fuzz targets run their seed corpora here;
# run `go test -fuzz=FuzzX ./pkg` to fuzz for real.
test: fmt-check vet
	$(GO) test -timeout 25m ./...

# bench needs Debian's PyTorch for the baseline of bench/train.sh; it imports
# only under /usr/bin/python3.
bench: build data
	@if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then \
		echo "installing PyTorch (Debian package python3-torch) for the training baseline"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO apt-get install -y python3-torch; \
	fi
	bash bench/run.sh

# pgo refreshes cmd/tangent/default.pgo from the CPU profiles of a
# bench/ledger.sh run (every path, every round), after code changes on the
# ledger's hot path. A stale profile still builds; it only helps less.
pgo:
	bash bench/ledger.sh
	$(GO) tool pprof -proto $${TMPDIR:-/tmp}/ledger-round*/ledger-*.pprof > cmd/tangent/default.pgo.new
	mv cmd/tangent/default.pgo.new cmd/tangent/default.pgo

clean:
	rm -rf bin demo-*.safetensors
