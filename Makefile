# The two commands of the README:
#   make demo   serve the bundled demo outlet, crawl it into ./demo-archive, serve it on :8001
#   make test   run the whole test suite
# Both set up everything they need first (a virtualenv in .venv with the project installed).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/archiver demo --out demo-archive --port 8001

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/extraction.py

clean:
	rm -rf $(VENV) demo-archive .pytest_cache
