# Two commands on a fresh machine: `make run` (set up and serve the demo) and `make test`;
# `make check` is the quick loop while editing (no browser tests).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
# pytest-xdist workers; `auto` is one per core (2 on the project's machines). WORKERS=0 runs
# in one process, e.g. to debug a single test with `make check WORKERS=0 PYTEST_ARGS=-x`.
# loadgroup: tests marked xdist_group run in one worker (the two-server tests share their servers).
WORKERS ?= auto
PYTEST_ARGS ?=
PYTEST := $(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup $(PYTEST_ARGS)
# What the browser tests need from Debian (tests/browser/conftest.py looks for `chromium`).
CHROMIUM ?= chromium
BROWSER_PACKAGES ?= chromium fonts-wqy-microhei
# What the two-server test and bench need from Debian: a load balancer (tests/cluster, bench/cluster.py).
CLUSTER_PACKAGES ?= haproxy redis-server
# As root, refresh the package lists and install the packages named after it, logging to $$log
# (the recipes below make that file); fails when not root or the mirror cannot be reached.
APT_INSTALL = [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq -o Acquire::http::Timeout=20 -o DPkg::Lock::Timeout=120 >"$$log" 2>&1 \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	     -o Acquire::http::Timeout=20 -o DPkg::Lock::Timeout=120

.PHONY: install run test check static import-contracts lint bench clean browser-deps cluster-deps translations

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

## Debian's Chromium and a CJK font for the browser tests (needs root and the package mirror).
## When they cannot be installed the browser tests are skipped, unless CONTEST_REQUIRE_BROWSER
## is set (CI sets it): then this fails.
browser-deps:
	@log=$$(mktemp); \
	if command -v $(CHROMIUM) >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  echo "browser-deps: chromium and a CJK font are present"; \
	elif $(APT_INSTALL) $(BROWSER_PACKAGES) >>"$$log" 2>&1; then \
	  echo "browser-deps: installed $(BROWSER_PACKAGES)"; \
	elif command -v $(CHROMIUM) >/dev/null 2>&1; then \
	  echo "browser-deps: could not install a CJK font; the browser tests run, Chinese may show as boxes in their screenshots"; \
	elif [ -n "$$CONTEST_REQUIRE_BROWSER" ]; then \
	  cat "$$log"; rm -f "$$log"; \
	  echo "browser-deps: could not install $(BROWSER_PACKAGES) (root and the Debian mirror are needed), and CONTEST_REQUIRE_BROWSER is set: failing"; \
	  exit 1; \
	else \
	  echo "browser-deps: could not install $(BROWSER_PACKAGES) (root and the Debian mirror are needed); the browser tests will be skipped"; \
	fi; \
	rm -f "$$log"

## Debian's HAProxy (and Redis, where the machine lacks it) for the two-server test and bench
## (tests/cluster, bench/cluster_judges_bench.py); needs root and the package mirror. When they
## cannot be installed the two-server test is skipped, unless CONTEST_REQUIRE_CLUSTER is set
## (CI sets it): then this fails. The Redis server itself must be running (.ci/run starts it).
cluster-deps:
	@log=$$(mktemp); \
	if command -v haproxy >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1; then \
	  echo "cluster-deps: haproxy and redis-server are present"; \
	elif $(APT_INSTALL) $(CLUSTER_PACKAGES) >>"$$log" 2>&1; then \
	  echo "cluster-deps: installed $(CLUSTER_PACKAGES)"; \
	elif [ -n "$$CONTEST_REQUIRE_CLUSTER" ]; then \
	  cat "$$log"; rm -f "$$log"; \
	  echo "cluster-deps: could not install $(CLUSTER_PACKAGES) (root and the Debian mirror are needed), and CONTEST_REQUIRE_CLUSTER is set: failing"; \
	  exit 1; \
	else \
	  echo "cluster-deps: could not install $(CLUSTER_PACKAGES) (root and the Debian mirror are needed); the two-server test will be skipped"; \
	fi; \
	rm -f "$$log"

## Set up the environment, create or upgrade the schema, load the demo once, serve it.
run: install
	$(BIN)/contest init
	$(BIN)/contest demo --if-empty
	$(BIN)/contest serve --host $(HOST) --port $(PORT)

## Static checks: ruff, the import contracts, mypy --strict on the scoring library.
static: install
	$(BIN)/ruff check .
	@$(MAKE) --no-print-directory import-contracts
	$(BIN)/mypy scoring

## The layering rules of pyproject.toml's [tool.importlinter] (fails on a broken contract).
import-contracts: install
	@if grep -q '^\[tool\.importlinter\]' pyproject.toml; then \
	  $(BIN)/lint-imports; \
	else \
	  echo "import-contracts: pyproject.toml has no [tool.importlinter] contracts yet; lint-imports not run"; \
	fi

## The quick loop: static checks and every test but the browser and two-server ones, in
## parallel (SQLite, plus PostgreSQL when CONTEST_TEST_POSTGRES_URL is set).
check: static
	$(PYTEST) -m "not browser and not cluster"

## The static checks and every test, browser and two-server ones included (CI: .ci/run).
test: static browser-deps cluster-deps
	$(PYTEST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
