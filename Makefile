# silt: see README.md. `make` builds build/silt; `make run` and `make test` first
# install the Debian packages that are missing (scripts/install-deps.sh): `make run` only
# what silt needs, `make test` also what the tests use.
BUILD   ?= build
JOBS    ?= $(shell nproc)
PREFIX  ?= /usr/local
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all silt deps deps-test configure run examples eval test install clean format fuzz fuzz-replay

all: configure
	cmake --build $(BUILD) -j $(JOBS)

# Only the silt binary (what `make run` needs): no test binary, no corpus generator.
silt: configure
	cmake --build $(BUILD) -j $(JOBS) --target silt

deps:
	bash scripts/install-deps.sh

deps-test:
	bash scripts/install-deps.sh --test

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DCMAKE_INSTALL_PREFIX=$(PREFIX)

run: deps silt examples

# The main job on the bundled examples; the test suite runs this target too.
examples:
	$(BUILD)/silt classify --format table examples/*.md

# silt's figures on the labeled real reports of ../shared/data, each set apart: dev (in
# sample), ext-dev and ext-dev-pytorch train and check (scripts/split.sh), and the fitted
# numbers cross-validated (scripts/eval.sh; VERBOSE=1 for each set's full report).
SHARED ?= ../shared
eval: silt
	@test -f $(SHARED)/data/dev/gold.csv || { echo "make eval: $(SHARED)/data/dev not found"; exit 2; }
	bash scripts/eval.sh $(BUILD)/silt $(SHARED)

test: deps-test
	@test ! -f $(BUILD)/CMakeCache.txt || grep -q 'SILT_BUILD_TESTS:BOOL=ON' $(BUILD)/CMakeCache.txt || \
	  cmake -S . -B $(BUILD) -DSILT_BUILD_TESTS=ON
	$(MAKE) all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Fuzzing (tests/fuzz/README.md): every harness built with clang++, libFuzzer, ASan and
# UBSan in $(FUZZ_BUILD), then run for FUZZ_SECONDS each, one after the other.
# fuzz-replay runs the regressions and seeds once, as ctest's fuzz.regressions does.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_FLAGS="$(FUZZ_FLAGS)" bash tests/fuzz/run.sh . $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-replay:
	bash tests/fuzz/replay.sh . $(FUZZ_BUILD)

install: all
	cmake --install $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD)
