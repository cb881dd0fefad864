# riskboard - the README's commands. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OWNER_FILE := $(VENV)/.owner
DEMO_DIR ?= demo
# recipes read these from the environment ("$$DEMO_DIR"), so any folder name works,
# spaces and apostrophes included
export DEMO_DIR PYTHON

.PHONY: help venv test lint typecheck demo bench clean

help:
	@echo "make demo   - create the venv, generate and import the demo exports, open the meeting TUI"
	@echo "make test   - create the venv, run ruff, import-linter and pytest"
	@echo "make lint   - ruff, import-linter and mypy (make typecheck: mypy alone)"
	@echo "make bench  - run the performance scripts in bench/"
	@echo "make clean  - remove .venv and the caches (the next make rebuilds them)"

# Always checked (cheap). Who the venv belongs to - this checkout and this interpreter -
# is recorded in .venv/.owner: a venv made by another checkout (its scripts' #! lines and
# the editable install point there), by another Python, or left half-built is rebuilt,
# never reused. It is reinstalled when pyproject.toml changed, and refused if its
# riskboard is not this checkout's src/.
venv:
	@owner="$$(pwd) $$("$$PYTHON" -c 'import sys; print(sys.version.split()[0], sys.base_prefix)')" \
	&& if [ ! -x $(BIN)/python ] || [ "$$(cat $(OWNER_FILE) 2>/dev/null)" != "$$owner" ]; then \
		echo "make: creating $(VENV) for this checkout ($$(pwd))"; \
		rm -rf $(VENV) && "$$PYTHON" -m venv $(VENV) \
		&& $(BIN)/python -m pip install -q --upgrade pip \
		&& printf '%s\n' "$$owner" > $(OWNER_FILE); \
	fi
	@if [ ! -f $(STAMP) ] || [ pyproject.toml -nt $(STAMP) ]; then \
		$(BIN)/python -m pip install -q -e '.[dev]' && touch $(STAMP); \
	fi
	@$(BIN)/python -c 'import pathlib, sys, riskboard; \
		src = pathlib.Path("src").resolve(); mod = pathlib.Path(riskboard.__file__).resolve(); \
		sys.exit(0 if src in mod.parents else f"make: {sys.prefix} imports riskboard from {mod}, not from {src} (is PYTHONPATH set?): unset PYTHONPATH, or run make clean, then make again")'

test: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -c 'import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())'
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -c 'import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())'
	$(BIN)/mypy src/riskboard

typecheck: venv
	$(BIN)/mypy src/riskboard

# The demo workspace (DEMO_DIR, relative or absolute) with a meeting already started:
# the app opens on its agenda.
demo: venv
	$(BIN)/riskboard demo "$$DEMO_DIR"
	top="$$(pwd)" && cd "$$DEMO_DIR" && "$$top/$(BIN)/riskboard" meeting

bench: venv
	@for script in bench/*_bench.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
