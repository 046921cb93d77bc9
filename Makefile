# Guichet — two commands do everything on a fresh machine: `make run` and `make test`.
# Each target creates what is missing (the .venv, compiled translations) and nothing more:
# a second `make test` on a prepared machine installs nothing.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 and rasa-sdk 3.6 need Python 3.10: taken from PATH, then from pyenv.
PYTHON310 ?= $(shell scripts/find-python310)

VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: help run test lint bench clean-venv

help:
	@echo "make run    start the whole stack on an embedded SQLite database with demo data"
	@echo "make test   run every test (creates .venv on first use)"
	@echo "make bench  print the benchmarks"
	@echo "make lint   ruff"

$(INSTALLED): pyproject.toml constraints.txt
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "error: Python 3.10 is needed (Rasa 3.6 requires it) and none was found on PATH or under pyenv." >&2; \
	  echo "       Install it (e.g. 'pyenv install 3.10') or pass PYTHON310=/path/to/python3.10." >&2; exit 1; fi
	@[ -x $(BIN)/python ] || { echo "==> creating $(VENV) with $(PYTHON310)"; $(PYTHON310) -m venv $(VENV); }
	@echo "==> installing guichet and its dependencies into $(VENV)"
	@$(BIN)/python -m pip install -q --upgrade "pip>=24,<26"
	@$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

run: $(INSTALLED)
	$(BIN)/guichet run

test: $(INSTALLED)
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check bot actions tests

bench: $(INSTALLED)
	$(BIN)/guichet bench

clean-venv:
	rm -rf $(VENV)
