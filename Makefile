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
EXTRAS ?= dev

.PHONY: install demo test test-fast lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[$(EXTRAS)]"

demo: install
	$(BIN)/python tools/run_demo.py --model $(MODEL)

test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile -q tests

# quick loop for development: reuses the installed venv (run `make install` once)
test-fast:
	@test -x $(BIN)/python || { echo "no $(BIN)/python: run 'make install' first"; exit 1; }
	$(BIN)/python -m pytest -n 2 --dist loadfile -q -m "not slow and not gpu" tests

lint: install
	$(BIN)/pre-commit run --all-files
