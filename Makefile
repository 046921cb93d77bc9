# Guichet — two commands do everything on a fresh machine: `make run` and `make test`.
# Each target creates what is missing (the .venv, compiled translations) and nothing more:
# a second `make test` on a prepared machine installs nothing.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Two environments (DESIGN.md, "Two Python environments"), each Python taken from PATH, then pyenv.
# Ours (gateway, engine, actions on rasa-sdk 3.21, scheduler): a supported Python, first found of
# PYTHON_VERSIONS. Rasa 3.6 alone needs Python 3.10 and is reached only over localhost.
PYTHON_VERSIONS := 3.13 3.12
VENV_PYTHON ?= $(shell scripts/find-python $(PYTHON_VERSIONS))
PYTHON310 ?= $(shell scripts/find-python 3.10)

VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# A .venv made by another Python (every .venv was 3.10 before) is rebuilt, never reused: its
# version, or "broken" when its interpreter no longer runs.
VENV_VERSION := $(shell [ -e $(VENV) ] && { $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo broken; })
STALE_VENV := $(if $(VENV_VERSION),$(filter-out $(PYTHON_VERSIONS),$(VENV_VERSION)))

# Rasa lives in its own environment (it pins old libraries: DESIGN.md, "Two Python environments").
VENV_RASA := .venv-rasa
RASA := $(VENV_RASA)/bin/rasa
RASA_INSTALLED := $(VENV_RASA)/.installed
RASA_VERSION := 3.6.21
# What the model is trained from; the stamp lets make skip even starting Rasa when nothing changed
# (rasa train also fingerprints and reuses the last model when the training data is the same).
RASA_SOURCES := config.yml $(wildcard domain/*.yml data/nlu/*.yml data/rules.yml data/stories.yml)
MODEL_STAMP := models/.trained

# Translations (babel/gettext): French is the source; every other folder of locales/ with a
# language.yml is translated there, declared (locales/languages.yml) or still a draft.
I18N_LANGS := $(filter-out fr,$(patsubst locales/%/language.yml,%,$(wildcard locales/*/language.yml)))
POT := locales/guichet.pot
MO_FILES := $(foreach lang,$(I18N_LANGS),locales/$(lang)/LC_MESSAGES/guichet.mo)

.PHONY: help run test lint bench clean-venv FORCE

help:
	@echo "make run    start the whole stack on an embedded SQLite database with demo data"
	@echo "make test   run every test (creates .venv on first use)"
	@echo "make bench  print the benchmarks"
	@echo "make lint   ruff check and ruff format --check"
	@echo "make i18n   extract the French sentences and update locales/*/guichet.po for translators"

$(INSTALLED): pyproject.toml constraints.txt $(if $(STALE_VENV),FORCE)
	@if [ -z "$(VENV_PYTHON)" ]; then \
	  echo "error: Python $(subst $() , or ,$(PYTHON_VERSIONS)) is needed for $(VENV) and none was found on PATH or under pyenv." >&2; \
	  echo "       Install one (e.g. 'pyenv install 3.13') or pass VENV_PYTHON=/path/to/python3.13." >&2; exit 1; fi
	@if [ -n "$(STALE_VENV)" ]; then \
	  echo "==> $(VENV) runs Python $(STALE_VENV), not $(subst $() , or ,$(PYTHON_VERSIONS)): recreating it"; rm -rf $(VENV); fi
	@[ -x $(BIN)/python ] || { echo "==> creating $(VENV) with $(VENV_PYTHON)"; $(VENV_PYTHON) -m venv $(VENV); }
	@echo "==> installing guichet and its dependencies into $(VENV)"
	@$(BIN)/python -m pip install -q --upgrade "pip>=24,<26"
	@$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

run: $(INSTALLED) $(MO_FILES) $(MODEL_STAMP) system-deps-fonts
	$(BIN)/guichet run

test: $(INSTALLED) $(MO_FILES) $(MODEL_STAMP) system-deps
	$(BIN)/python -m pytest

# Lints and checks the formatting of everything we write (the lead's `ruff format` keeps it so).
LINTED := bot actions rasa_sdk_plugins rasa_components tests benchmarks scripts migrations

lint: $(INSTALLED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

bench: $(INSTALLED)
	$(BIN)/guichet bench

# System packages from Debian, installed with apt-get only when missing (as root, as CI runs;
# through sudo otherwise). `system-deps` gathers them; each has its own target.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
.PHONY: system-deps system-deps-fonts system-deps-browser
system-deps: system-deps-fonts system-deps-browser

# The printed PDFs (bot/printing: convocation, checklist, transcript) need a Unicode font that
# has Arabic: DejaVu Sans (fonts-dejavu-core). GUICHET_FONT_DIR may name another folder.
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
system-deps-fonts:
	@[ -n "$$GUICHET_FONT_DIR" ] || [ -f $(DEJAVU) ] || { \
	  echo "==> installing fonts-dejavu-core (the printed convocations need it)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-dejavu-core; }

# The mediator page's tests (tests/pan) drive Debian's chromium through its chromium-driver:
# never a browser downloaded at run time.
system-deps-browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "==> installing chromium, chromium-driver (the /pan browser tests need them)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver fonts-dejavu-core; }

.PHONY: i18n i18n-compile

# Extract every N_()/_() sentence from bot/ and actions/, then merge it into each .po (new
# sentences arrive untranslated, changed ones fuzzy: tests/i18n fails until a translator acts).
i18n: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k N_ -k _ -k NP_:1,2 \
	  --add-comments=Translators: --project=guichet --sort-by-file -o $(POT) bot actions
	@for lang in $(I18N_LANGS); do \
	  $(BIN)/pybabel update -i $(POT) -d locales -D guichet -l $$lang --ignore-obsolete; done

i18n-compile: $(MO_FILES)

# A compiled catalogue is rebuilt only when its .po changed.
locales/%/LC_MESSAGES/guichet.mo: locales/%/LC_MESSAGES/guichet.po | $(INSTALLED)
	$(BIN)/pybabel compile -D guichet -l $* -i $< -o $@

.PHONY: train

$(RASA_INSTALLED): requirements-rasa.txt
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "error: Python 3.10 is needed for Rasa $(RASA_VERSION) and none was found on PATH or under pyenv." >&2; \
	  echo "       Install it (e.g. 'pyenv install 3.10') or pass PYTHON310=/path/to/python3.10." >&2; exit 1; fi
	@[ -x $(VENV_RASA)/bin/python ] || { echo "==> creating $(VENV_RASA) with $(PYTHON310)"; $(PYTHON310) -m venv $(VENV_RASA); }
	@echo "==> installing rasa==$(RASA_VERSION) into $(VENV_RASA) (about 2-3 minutes, 2.7 GB, first time only)"
	@$(VENV_RASA)/bin/python -m pip install -q --upgrade "pip>=24,<26"
	@$(VENV_RASA)/bin/python -m pip install -q -r requirements-rasa.txt "rasa==$(RASA_VERSION)"
	@touch $@

# Trains only when config, domain or training data changed since the last model.
train: $(MODEL_STAMP)

$(MODEL_STAMP): $(RASA_SOURCES) | $(RASA_INSTALLED)
	@echo "==> training the Rasa model (domain/, data/, config.yml) into models/"
	$(RASA) train --config config.yml --domain domain --data data/nlu data/rules.yml data/stories.yml --out models
	@touch $@

clean-venv:
	rm -rf $(VENV)

FORCE:
