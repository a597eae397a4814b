# Two commands matter on a fresh machine with Python >= 3.11 and make:
#   make demo   set up, create and seed a demo log, serve it on http://127.0.0.1:8000
#   make test   set up if needed, then run the whole test suite (lint, types, tests)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 1
DATA_DIR ?= demo-data

.PHONY: demo test lint typecheck pytest bench bench-quick bench-http bench-pg constraints clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "canbo-ledger needs Python >= 3.11 (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/canbo demo --data-dir $(DATA_DIR) --host $(HOST) --port $(PORT) --seed $(SEED)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m ops.bench

bench-quick: $(STAMP)
	$(BIN)/python -m ops.bench --quick

bench-http: $(STAMP)
	$(BIN)/python -m ops.bench.http

bench-pg: $(STAMP)
	$(BIN)/python -m ops.bench.pg

constraints: $(STAMP)
	{ echo "# Exact versions of every package, direct and transitive (pip install -c constraints.txt)."; \
	  echo "# Regenerate after changing pyproject.toml: make constraints"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^canbo-ledger'; } > constraints.txt

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache
