# The two commands of the README:
#   make demo   serve the bundled demo outlet, crawl it into ./demo-archive, serve it on :8001
#   make test   lint, type-check and run the whole test suite (what CI runs, through .ci/run)
# Both set up everything they need first (a virtualenv in .venv with the project installed).
#
# Other targets:
#   make test-fast          the tests not marked slow, browser, redis or root_only (under a minute)
#   make lint               ruff check, ruff format --check, mypy
#   make test-lowest        the tests on the lowest versions pyproject.toml allows (own venv)
#   make test-datasette-1   the Datasette tests on the newest Datasette 1.0 alpha (own venv)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Independent checkers (wacz validate, pywb, cdxj-indexer, warcio check) pin old packages
# (redis 2.x, old cryptography) that clash with ours: they live in their own virtualenv,
# and the tests find them through ARCHIVER_TOOLS_BIN.
TOOLS_VENV ?= .venv-tools
TOOLS_STAMP := $(TOOLS_VENV)/.installed
export ARCHIVER_TOOLS_BIN ?= $(abspath $(TOOLS_VENV))/bin
# pip's output only when it fails: `make demo` should show the demo, not pip's warnings.
QUIET_PIP = sh -c 'log=$$(mktemp); if "$$@" >"$$log" 2>&1; then rm -f "$$log"; else cat "$$log"; rm -f "$$log"; exit 1; fi' quiet-pip

.PHONY: demo test test-fast lint install tools bench clean test-lowest test-datasette-1

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV)
	@$(QUIET_PIP) $(BIN)/python -m pip install --upgrade pip
	@$(QUIET_PIP) $(BIN)/python -m pip install -e '.[test,lint]'
	@touch $(STAMP)

$(TOOLS_STAMP):
	@$(PYTHON) -m venv $(TOOLS_VENV)
	@$(QUIET_PIP) $(TOOLS_VENV)/bin/python -m pip install --upgrade pip
	@$(QUIET_PIP) $(TOOLS_VENV)/bin/python -m pip install wacz pywb cdxj-indexer warcio
	@touch $(TOOLS_STAMP)

tools: $(TOOLS_STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/archiver demo --out demo-archive --port 8001

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint $(TOOLS_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser and not redis and not root_only" $(PYTEST_ARGS)

# The lowest direct versions pyproject.toml allows (uv's --resolution lowest-direct), in a venv
# of their own, then the tests that exercise every runtime dependency: crawling (Scrapy, Twisted),
# cleaning (lxml, bs4), the store (sqlite-utils Migrations), serving (Datasette, its plugins),
# outlets, the CLI and the distributed crawl (scrapy-redis, redis). Not the browser test (it
# tests Chromium, not a floor) nor the slow wheel test (it builds its own environment).
LOWEST_VENV ?= .venv-lowest
LOWEST_TESTS ?= tests/test_pipeline_e2e.py tests/test_store.py tests/test_datasette.py \
	tests/test_datasette_ui.py tests/test_memento.py tests/test_outlets.py tests/test_cli.py \
	tests/test_clean.py tests/test_recrawl.py tests/test_capture_crawl.py tests/test_distributed.py \
	tests/test_versions.py tests/test_security.py
test-lowest:
	@$(PYTHON) -m venv $(LOWEST_VENV)
	@$(QUIET_PIP) $(LOWEST_VENV)/bin/python -m pip install uv
	@$(QUIET_PIP) $(LOWEST_VENV)/bin/uv pip install --python $(LOWEST_VENV)/bin/python \
		--resolution lowest-direct -e .
	@$(QUIET_PIP) $(LOWEST_VENV)/bin/uv pip install --python $(LOWEST_VENV)/bin/python \
		pytest pytest-randomly hypothesis playwright warcio
	@$(LOWEST_VENV)/bin/python -m pip list --format=freeze 2>/dev/null \
		| grep -iE '^(scrapy|twisted|zope.interface|beautifulsoup4|soupsieve|lxml|cssselect|sqlite-utils|datasette|markupsafe|uvicorn|pyyaml|click|surt|scrapy-redis|redis)=' \
		| tr '\n' ' '; echo
	$(LOWEST_VENV)/bin/python -m pytest -m "not browser" $(LOWEST_TESTS) $(PYTEST_ARGS)

# The newest Datasette 1.0 alpha in a venv of its own; the Datasette tests on it. The project
# pins datasette<1 (pyproject.toml says why); this job tells what 1.0 breaks, and fails.
DS1_VENV ?= .venv-datasette-1
DS1_TESTS ?= tests/test_datasette.py tests/test_datasette_ui.py tests/test_memento.py
test-datasette-1:
	@$(PYTHON) -m venv $(DS1_VENV)
	@$(QUIET_PIP) $(DS1_VENV)/bin/python -m pip install -e '.[test]'
	@$(QUIET_PIP) $(DS1_VENV)/bin/python -m pip install --pre 'datasette>=1.0a0'
	@echo "Datasette $$($(DS1_VENV)/bin/python -c 'import datasette.version as v; print(v.__version__)')"
	$(DS1_VENV)/bin/python -m pytest $(DS1_TESTS) $(PYTEST_ARGS)

bench: $(STAMP)
	@$(QUIET_PIP) $(BIN)/python -m pip install -e '.[bench]'
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/crawl.py --pages 5000

clean:
	rm -rf $(VENV) $(TOOLS_VENV) $(LOWEST_VENV) $(DS1_VENV) demo-archive .pytest_cache build dist
