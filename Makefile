# Two commands on a fresh machine: `make run` (set up and serve the demo) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench clean browser-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Set up the environment, create or upgrade the schema, load the demo once, serve it.
run: install
	$(BIN)/contest init
	$(BIN)/contest demo --if-empty
	$(BIN)/contest serve --host $(HOST) --port $(PORT)

## Lint, type-check the scoring library, run every test (SQLite, plus PostgreSQL when
## CONTEST_TEST_POSTGRES_URL is set).
test: install
	$(BIN)/ruff check .
	$(BIN)/mypy scoring
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
