# The two commands of the README:
#   make demo   serve the bundled demo outlet, crawl it into ./demo-archive, serve it on :8001
#   make test   run the whole test suite
# Both set up everything they need first (a virtualenv in .venv with the project installed).

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

.PHONY: demo test install tools bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(TOOLS_STAMP):
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS_VENV)/bin/python -m pip install --quiet wacz pywb cdxj-indexer warcio
	touch $(TOOLS_STAMP)

tools: $(TOOLS_STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/archiver demo --out demo-archive --port 8001

test: $(STAMP) $(TOOLS_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/crawl.py --pages 5000

clean:
	rm -rf $(VENV) $(TOOLS_VENV) demo-archive .pytest_cache
