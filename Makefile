# The two commands: `make run` and `make test`. Both install what is
# missing (Debian packages, listed in scripts/deps.sh, which the container
# image uses too), configure once and build incrementally.

MAKEFLAGS += --no-print-directory

BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
GRPC_ADDR ?= 127.0.0.1:50051
HTTP_ADDR ?= 127.0.0.1:8080
DATA_DIR ?= ./data
CONFORMANCE := tests/conformance

.PHONY: all deps configure build run test bench clean

all: build

deps:
	@bash scripts/deps.sh install dev

configure: deps
	@if [ ! -f $(BUILD_DIR)/CMakeCache.txt ]; then \
	  cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null; \
	fi

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	@echo "assistd: starting with embedded defaults (data in $(DATA_DIR), gRPC on $(GRPC_ADDR), OpenAI-compatible REST on http://$(HTTP_ADDR)/v1); Ctrl-C stops it"
	@echo "assistd: try it from another shell: $(BUILD_DIR)/bin/assistctl --addr=$(GRPC_ADDR) health"
	@exec $(BUILD_DIR)/bin/assistd --data_dir=$(DATA_DIR) --grpc_addr=$(GRPC_ADDR) --http_addr=$(HTTP_ADDR)

test: build $(CONFORMANCE)/node_modules/.package-lock.json
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

# The openai-node conformance suite's packages, exactly as locked; installed
# again when package-lock.json is newer than the install (npm ci writes
# node_modules/.package-lock.json). Node and npm come from `deps`.
$(CONFORMANCE)/node_modules/.package-lock.json: $(CONFORMANCE)/package-lock.json | deps
	@npm ci --prefix $(CONFORMANCE) --no-audit --no-fund --loglevel=error
	@touch $@

# Quick benchmarks; see docs/benchmarks.md for the long ones and their flags.
bench: build
	@$(BUILD_DIR)/bench/sqlite_bench
	@$(BUILD_DIR)/bench/retrieval_eval

clean:
	rm -rf $(BUILD_DIR)
