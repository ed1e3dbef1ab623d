# majlis: `make run` to start a server, `make test` to run every test.
# The real build is CMake; this file only names the usual entry points.

BUILD      ?= build
TEST_BUILD ?= build/test
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DATA       ?= ./data
HTTP       ?= 127.0.0.1:8080
MEDIA_PORT ?= 40000
ARGS       ?=
PREFIX     ?= /usr/local
DESTDIR    ?=

.PHONY: all build run test deps test-deps test-build node-deps format bench clean install uninstall

all: build

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test

# A configure that fails (say, before `make deps`) still writes
# CMakeCache.txt; depending on that file, every later `make` skipped the
# configure and failed with "No rule to make target 'Makefile'". The
# stamp is written only after a configure that worked, and a failed one
# takes its cache away, so the next `make` starts the configure afresh.
CONFIGURE = cmake -S . -B $(1) $(2) || { rm -f $(1)/CMakeCache.txt; exit 1; }

$(BUILD)/release/.configured:
	@rm -f $(BUILD)/release/CMakeCache.txt
	$(call CONFIGURE,$(BUILD)/release,-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMJ_TESTS=OFF)
	@touch $@

build: $(BUILD)/release/.configured
	cmake --build $(BUILD)/release -j $(JOBS)
	@ln -sf release/majlis $(BUILD)/majlis

run: deps build
	@scripts/first-run "$(BUILD)/majlis" "$(DATA)" "$(HTTP)" "$(MEDIA_PORT)" $(ARGS)

# The binary (web app inside), a systemd unit and a config file under
# PREFIX; DESTDIR for packaging. README: "Running it as a service".
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD)/release --prefix "$(PREFIX)"

uninstall:
	DESTDIR="$(DESTDIR)" cmake -DMANIFEST=$(BUILD)/release/install_manifest.txt \
	    -DMJ_SOURCE_DIR="$(CURDIR)" -P scripts/uninstall.cmake

node-deps:
	@scripts/install-node-deps

$(TEST_BUILD)/.configured:
	@rm -f $(TEST_BUILD)/CMakeCache.txt
	CC=clang $(call CONFIGURE,$(TEST_BUILD),-DCMAKE_BUILD_TYPE=Debug -DMJ_SANITIZE=ON \
	    -DMJ_FUZZ=ON -DMJ_WERROR=ON)
	@touch $@

test-build: $(TEST_BUILD)/.configured
	cmake --build $(TEST_BUILD) -j $(JOBS)

test: test-deps node-deps test-build
	@scripts/run-tests $(TEST_BUILD)

bench: build
	@echo "benchmarks are in $(BUILD)/release/bench_*; see docs/benchmarks.md"

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c')

clean:
	rm -rf $(BUILD)
