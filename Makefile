# The two commands of the README: `make run` and `make test`. Each sets up what it needs.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 30
JOBS ?= $(shell nproc)
AS_OF ?= 2026-11-24T00:00:00Z

.PHONY: all setup configure build run test lint format sanitize tsan fuzz bench clean

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

# The concurrent parts under ThreadSanitizer: the event bus, metrics, the worker pool, the schema
# registry (concurrent registrations), partitioned database reads, and the
# whole pipeline end to end (its binary is built with TSan too).
TSAN_DIR ?= build-tsan
TSAN_TESTS ?= EventBus|Metrics|WorkerPool|ReadingPool|StateStore|RegistryTest|BatchPipeline|CrashRecovery|BadInput|DatabaseSource|SqliteReader
tsan: setup
	cmake --preset tsan
	cmake --build $(TSAN_DIR) -j $(JOBS)
	TSAN_OPTIONS=halt_on_error=1 ctest --test-dir $(TSAN_DIR) --output-on-failure -j $(JOBS) \
	  -R '$(TSAN_TESTS)'

# Each libFuzzer target (src/*/*_fuzz.cc, CONVENTIONS §7) for FUZZ_SECONDS seconds, starting
# from its seed corpus in tests/fuzz/<target>/. New corpus entries and crash inputs go under
# $(FUZZ_DIR), never into the repository. Every fuzzer runs; any crash, leak, timeout or
# sanitizer report fails the target at the end.
FUZZERS := $(sort $(basename $(notdir $(wildcard src/*/*_fuzz.cc))))
fuzz: setup
	cmake --preset fuzz
	cmake --build $(FUZZ_DIR) --target fuzzers -j $(JOBS)
	@failed=""; \
	for f in $(FUZZERS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$f $(FUZZ_DIR)/artifacts/$$f; \
	  seeds=""; [ -d tests/fuzz/$$f ] && seeds=tests/fuzz/$$f; \
	  echo "fuzz: $$f for $(FUZZ_SECONDS)s"; \
	  log=$(FUZZ_DIR)/artifacts/$$f.log; \
	  if $(FUZZ_DIR)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	      -artifact_prefix=$(FUZZ_DIR)/artifacts/$$f/ $(FUZZ_DIR)/corpus/$$f $$seeds >$$log 2>&1; then \
	    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' $$log; \
	  else \
	    tail -n 40 $$log; failed="$$failed $$f"; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then \
	  echo "fuzz: FAILED:$$failed (inputs and logs in $(FUZZ_DIR)/artifacts/)"; exit 1; \
	fi; \
	echo "fuzz: no crashes in $(FUZZERS)"

# Performance (docs/performance.md): the per-stage micro-benchmarks, then the end-to-end comparison
# with DuckDB on generated data. BENCH_ARGS go to bench/run.mjs (e.g. --sizes 1000000 --runs 3).
bench: build
	$(BUILD_DIR)/bench/micro/micro_benchmarks $(MICRO_ARGS)
	node bench/run.mjs $(BENCH_ARGS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) $(FUZZ_DIR) warehouse state out logs
