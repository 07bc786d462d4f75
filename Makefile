# tendril: `make demo` and `make test` do all set-up themselves (tools/setup.sh).
PY := .venv/bin/python
STAMP := .venv/.installed
FUZZ_SECONDS ?= 600
TEST_FUZZ_SECONDS ?= 30

.PHONY: setup test test-fast test-loaded demo fuzz bench vectors headers clean

$(STAMP): pyproject.toml tools/setup.sh
	bash tools/setup.sh

setup: $(STAMP)

## make test: the whole suite, as CI runs it
test: setup
	$(MAKE) -s -C firmware/core lib avr-check
	$(PY) tools/contract_gen.py --check
	$(PY) tools/mpy_gen.py --check
	$(PY) tests/vectors/generate.py --check
	$(PY) -m pytest -q
	$(MAKE) -s -C firmware/core fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)

## make test-fast: the suite without the slow end-to-end tests (a minute or two, while working)
test-fast: setup
	$(PY) -m pytest -q -m "not slow"

## make test-loaded [HOGS=2]: `make test` while HOGS busy loops compete for the CPU (docs/testing.md)
test-loaded: setup
	bash tools/test-loaded.sh $(or $(HOGS),2)

## make demo: the main job on a simulated board: the terminal UI on a terminal, else (CI) 30 s of text
demo: setup
	@if [ -t 1 ]; then $(PY) -m tendril.cli demo; else $(PY) -m tendril.cli demo --headless --duration 30; fi

## make fuzz [FUZZ_SECONDS=N]: run every libFuzzer target for N seconds each
fuzz: setup
	$(MAKE) -C firmware/core fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

## make bench: benchmarks, one JSON object a line
bench: setup
	$(PY) bench/run.py

## make vectors / make headers: regenerate the shared vectors / the C contract headers
vectors: setup
	$(PY) tests/vectors/generate.py

headers: setup
	$(PY) tools/contract_gen.py
	$(PY) tools/mpy_gen.py

clean:
	rm -rf firmware/build .pytest_cache .hypothesis
