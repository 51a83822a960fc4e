# The two commands of the README: `make run` and `make test`. Each sets up what it needs.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
AS_OF ?= 2026-11-24T00:00:00Z

.PHONY: all setup configure build run test lint format sanitize bench clean

all: build

setup:
	@scripts/setup.sh

$(BUILD_DIR)/build.ninja:
	cmake --preset default

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Ingest the bundled samples with the example config; the reference time is fixed so the
# timeliness rules grade the same every day.
run: build
	./$(BUILD_DIR)/assay --config config/data_sources.yml --as-of $(AS_OF)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

lint: configure
	scripts/lint.sh $(BUILD_DIR)

format:
	clang-format -i $$(git ls-files 'src/*.h' 'src/*.cc' 'tests/*.h' 'tests/*.cc' 'bench/*.cc')

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: setup
	cmake --preset asan
	cmake --build $(ASAN_DIR) -j $(JOBS)
	ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) warehouse state out logs
