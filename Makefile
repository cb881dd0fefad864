# riskboard - the README's commands. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo

.PHONY: help venv test lint typecheck demo bench clean

help:
	@echo "make demo   - create the venv, generate and import the demo exports, open the meeting TUI"
	@echo "make test   - create the venv, run ruff, import-linter and pytest"
	@echo "make lint   - ruff, import-linter and mypy (make typecheck: mypy alone)"
	@echo "make bench  - run the performance scripts in bench/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy src/riskboard

typecheck: $(STAMP)
	$(BIN)/mypy src/riskboard

demo: $(STAMP)
	$(BIN)/riskboard demo $(DEMO_DIR)
	cd $(DEMO_DIR) && ../$(BIN)/riskboard meeting

bench: $(STAMP)
	@for script in bench/*_bench.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
