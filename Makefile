# aisms: `make run` sets up and starts the product; `make test` sets up and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run setup assets test test-setup lint typecheck bench clean

run: setup
	$(BIN)/aisms init
	$(BIN)/aisms demo
	$(BIN)/aisms serve

setup: $(STAMP) assets

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# Front-end libraries come from the npm registry, pinned in package-lock.json; nothing third-party is committed.
assets: static_vendor/vendor/htmx.min.js

static_vendor/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p static_vendor/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static_vendor/vendor/htmx.min.js

test-setup: $(TEST_STAMP) assets

$(TEST_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	bash scripts/install-test-tools.sh
	touch $(STAMP) $@

test: test-setup lint
	bash scripts/test.sh

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	AISMS_DATA_DIR=$(CURDIR)/var/lint $(BIN)/mypy src

bench: setup
	$(BIN)/pip install --quiet -e ".[bench]"
	AISMS_DATA_DIR=$(CURDIR)/var/bench PYTHONPATH=$(CURDIR) $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules static_vendor
