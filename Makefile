# The two commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: demo test setup setup-test lint format bench messages clean

demo: setup
	$(BIN)/tongban demo --port $(PORT)

test: setup-test
	$(BIN)/lint-imports
	TONGBAN_TESTING=1 $(BIN)/mypy
	TONGBAN_TESTING=1 $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

setup: $(VENV)/.base-installed node_modules/.installed messages

setup-test: $(VENV)/.dev-installed node_modules/.installed messages
	scripts/install-system-packages --test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.base-installed: requirements/base.lock pyproject.toml | $(VENV)/bin/python
	scripts/install-system-packages
	$(BIN)/pip install -q --require-hashes -r requirements/base.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock pyproject.toml | $(VENV)/bin/python
	scripts/install-system-packages
	$(BIN)/pip install -q --require-hashes -r requirements/dev.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@ $(VENV)/.base-installed

node_modules/.installed: package.json package-lock.json
	scripts/install-system-packages
	npm ci --no-audit --no-fund --silent
	touch $@

messages:
	cd tongban && ../$(BIN)/django-admin compilemessages --ignore=.venv -v 0

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	TONGBAN_TESTING=1 $(BIN)/mypy

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup-test
	$(BIN)/python -m bench

# Regenerate the lock files after changing dependencies in pyproject.toml.
lock:
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -o requirements/base.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -q -o requirements/dev.lock

clean:
	rm -rf $(VENV) node_modules var
