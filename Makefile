# Two entry points for a fresh clone (see README):
#   make demo  - install, then train + evaluate a small model on the embedded demo data (CPU)
#   make test  - install, then run the whole test suite (what CI runs)
#   make test-fast - the developer loop: no install, skips tests marked slow / gpu
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# exact tested versions (lock file); requirements/runtime.txt holds the ranges
CONSTRAINTS ?= requirements/constraints.txt
MODEL ?= hint
# optional extras `make install` adds (CI runs their tests): add yours to this list
EXTRAS ?= dev,face,web

.PHONY: install demo test test-fast lint browser gpu-bundle

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[$(EXTRAS)]"

demo: install
	$(BIN)/python tools/run_demo.py --model $(MODEL)

# Chromium for the browser tests of `inpaintzoo serve` (tests/test_web): Debian's
# package, installed only when missing and we are root (CI: a fresh machine);
# elsewhere the browser tests skip and say why. Quiet when it is there.
browser:
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium (apt-get) for the browser tests"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null \
	      || { echo "error: apt-get install chromium failed"; [ -z "$${CI:-}" ]; }; \
	  else \
	    echo "note: no chromium and not root: the browser tests will skip (apt-get install chromium)"; \
	  fi; \
	fi

test: install browser
	$(BIN)/python -m pytest -n 2 --dist loadfile -q tests

# quick loop for development: reuses the installed venv (run `make install` once)
test-fast:
	@test -x $(BIN)/python || { echo "no $(BIN)/python: run 'make install' first"; exit 1; }
	$(BIN)/python -m pytest -n 2 --dist loadfile -q -m "not slow and not gpu" tests

lint: install
	$(BIN)/pre-commit run --all-files

# what the GPU machine of the `device` tool lacks for tools/analysis/gpu_check.sh
# (wheels + the mamba-ssm / causal-conv1d sources) into .device/ (git-ignored; carry it)
gpu-bundle: install
	PYTHON=$(BIN)/python bash tools/analysis/gpu_bundle.sh .device
