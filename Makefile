# silt: see README.md. `make` builds build/silt; `make run` and `make test` first
# install the Debian packages that are missing (scripts/install-deps.sh).
BUILD   ?= build
JOBS    ?= $(shell nproc)
PREFIX  ?= /usr/local
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps configure run examples eval test install clean format

all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	bash scripts/install-deps.sh

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DCMAKE_INSTALL_PREFIX=$(PREFIX)

run: deps all examples

# The main job on the bundled examples; the test suite runs this target too.
examples:
	$(BUILD)/silt classify --format table examples/*.md

# silt's figures on the study's 27 real dev issues (../shared/data/dev).
SHARED ?= ../shared
eval: all
	@test -f $(SHARED)/data/dev/gold.csv || { echo "make eval: $(SHARED)/data/dev not found"; exit 2; }
	$(BUILD)/silt eval --gold $(SHARED)/data/dev/gold.csv $(SHARED)/data/dev/issues.jsonl

test: deps all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

install: all
	cmake --install $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD)
