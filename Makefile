# The two commands: `make run` and `make test`. Each sets itself up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# The stamp changes whenever pyproject.toml does, so `make setup` is a no-op when nothing changed.
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

# The browser tests drive Debian's Chromium and inject axe-core (pinned, in a git-ignored folder).
CHROMIUM := /usr/bin/chromium
AXE_VERSION := 4.14.1
AXE := .cache/axe/node_modules/axe-core/axe.min.js

.PHONY: setup run test lint bench clean-index browser-deps

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing dependencies into $(VENV) (first time: a few minutes)"
	@# torch first and pinned, so pip takes the CPU wheel and never a multi-GB CUDA build.
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

run: setup
	$(VENV)/bin/safeguarding ingest --if-missing
	$(VENV)/bin/safeguarding serve

test: setup browser-deps
	$(VENV)/bin/pytest

browser-deps: $(CHROMIUM) $(AXE)

$(CHROMIUM):
	@test "$$(id -u)" = 0 || { echo "error: the browser tests need Chromium: run 'sudo apt-get install chromium'"; exit 1; }
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium

$(AXE):
	npm install --prefix .cache/axe --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) -m bench.ingest
	$(PY) -m bench.query --corpus briefings
	$(PY) -m bench.query --corpus large
	$(PY) -m bench.load --clients 50 --seconds 60

clean-index:
	rm -rf data/index
