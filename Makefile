# Two entry points for a fresh clone (see README):
#   make demo  - install, then train + evaluate a small model on the embedded demo data (CPU)
#   make test  - install, then run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MODEL ?= hint

.PHONY: install demo test lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"

demo: install
	$(BIN)/python tools/run_demo.py --model $(MODEL)

test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile -q tests

lint: install
	$(BIN)/pre-commit run --all-files
