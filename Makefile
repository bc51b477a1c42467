# The two entry points: `make demo` and `make test`. Both install what is missing first.
# `make test-sanitize` runs the whole suite under ASan+UBSan (g++, build-sanitize); `make fuzz`
# builds the libFuzzer targets with clang in build-fuzz (docs/reliability.md).
BUILD ?= build
JOBS ?= $(shell nproc)
GODWIT = $(BUILD)/bin/godwit
SANITIZE_BUILD ?= build-sanitize
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: deps build demo test clean bench test-sanitize fuzz

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@echo "== godwit dry-run over the example fleet (fixtures/fleet)"
	@cd fixtures/fleet && ../../$(GODWIT) dry-run --migration migration.yaml .

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	@cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Release -DGODWIT_SANITIZE=ON >/dev/null
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	@cd $(SANITIZE_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

fuzz:
	@scripts/install-deps --fuzz
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DGODWIT_SANITIZE=ON -DGODWIT_FUZZ=ON \
	  -DGODWIT_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@bench/run

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(FUZZ_BUILD)
