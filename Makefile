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

# The campaign over fixtures/fleet/ as local bare repositories (file:// remotes), without a code
# host: discover, plan and a dry-run sweep with a fresh SQLite store under build/demo/, the edits
# as a diff, then the campaign's report (Markdown here, HTML in build/demo/report.html).
DEMO = $(BUILD)/demo
RUNNER = env -u GITHUB_TOKEN -u GODWIT_API_URL $(BUILD)/bin/godwit-runner
DEMO_FLAGS = --store $(DEMO)/godwit.db --cache-dir $(DEMO)/cache
DEMO_MIGRATION = --migration fixtures/fleet/migration.yaml

demo: build
	@scripts/demo-fleet $(DEMO)
	@rm -f $(DEMO)/godwit.db $(DEMO)/godwit.db-wal $(DEMO)/godwit.db-shm
	@echo "== godwit-runner discover: which repositories of the fleet use the datasets"
	@$(RUNNER) discover $(DEMO_MIGRATION) $(DEMO)/fleet.yaml $(DEMO_FLAGS)
	@echo "== godwit-runner plan: the waves, and why each repository is in its wave"
	@$(RUNNER) plan $(DEMO_MIGRATION) $(DEMO)/fleet.yaml $(DEMO_FLAGS)
	@echo "== godwit-runner sweep --dry-run: the campaign wave by wave; nothing is pushed or opened"
	@$(RUNNER) sweep --dry-run $(DEMO_MIGRATION) $(DEMO)/fleet.yaml $(DEMO_FLAGS)
	@echo "== godwit dry-run: the edits over the example fleet (fixtures/fleet), as a diff"
	@cd fixtures/fleet && ../../$(GODWIT) dry-run --migration migration.yaml .
	@echo "== godwit-runner report: the campaign after the dry run"
	@$(RUNNER) report $(DEMO_MIGRATION) --format md $(DEMO_FLAGS)
	@$(RUNNER) report $(DEMO_MIGRATION) --format html -o $(DEMO)/report.html $(DEMO_FLAGS) 2>/dev/null
	@echo "== the HTML report (open it in a browser): $(abspath $(DEMO))/report.html"

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
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz-targets
	@scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@bench/run

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(FUZZ_BUILD)
