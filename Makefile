# Two commands on a fresh machine: `make run` (set up and serve the demo) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench clean browser-deps translations

PO := $(wildcard contest/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

install: $(STAMP) $(MO)

## Re-extract the translatable strings and merge them into the catalogues.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o contest/translations/messages.pot .
	$(BIN)/pybabel update -i contest/translations/messages.pot -d contest/translations --no-fuzzy-matching

## Debian's Chromium and a CJK font for the browser tests (needs root; skipped otherwise).
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  echo "chromium and a CJK font are present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	else \
	  echo "browser tests need: apt-get install chromium fonts-wqy-microhei (run as root)"; \
	fi

## Set up the environment, create or upgrade the schema, load the demo once, serve it.
run: install
	$(BIN)/contest init
	$(BIN)/contest demo --if-empty
	$(BIN)/contest serve --host $(HOST) --port $(PORT)

## Lint, type-check the scoring library, run every test (SQLite, plus PostgreSQL when
## CONTEST_TEST_POSTGRES_URL is set).
test: install browser-deps
	$(BIN)/ruff check .
	$(BIN)/mypy scoring
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
