# Everyday tasks. Each target is one command you can also type yourself (see CONTRIBUTING.md).
# Uses the project's virtual environment in .venv (make setup creates it).

VENV ?= .venv
BIN := $(VENV)/bin
# test processes for `make test` (pytest-xdist): 3 as in CI (see docs/development.md)
WORKERS ?= 3
SNAPSHOT_TESTS := $(shell grep -rl snap_compare tests --include='test_*.py')

.PHONY: help setup test lint format typecheck layers snapshots check

help:
	@echo "make setup      create .venv and install mockint with the test tools (editable)"
	@echo "make test       the whole test suite, in $(WORKERS) processes (make test WORKERS=N)"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make format     apply ruff's fixes and formatting"
	@echo "make typecheck  mypy over mockint/"
	@echo "make layers     import-linter: the layer contracts in pyproject.toml"
	@echo "make snapshots  regenerate the SVG snapshots (then read snapshot_report.html)"
	@echo "make check      lint, typecheck, layers and test: what CI runs after installing"

setup:
	python3 -m venv $(VENV)
	$(BIN)/pip install -e ".[test]"

test:
	$(BIN)/pytest -q -n $(WORKERS) --dist loadgroup

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck:
	$(BIN)/mypy

layers:
	$(BIN)/lint-imports

snapshots:
	$(BIN)/pytest -q $(SNAPSHOT_TESTS) --snapshot-update

check: lint typecheck layers test
