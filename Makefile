# The two entry points: `make demo` and `make test`. Both install what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
GODWIT = $(BUILD)/bin/godwit

.PHONY: deps build demo test clean bench

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

bench: build
	@bench/run

clean:
	rm -rf $(BUILD)
