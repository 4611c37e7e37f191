# Accord — `make dev` runs it locally, `make test` tests it. Both bootstrap their own venvs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lambda runs Python 3.12: prefer it (pyenv's interpreter directly: its shim needs PYENV_VERSION).
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null) python3)
SAM_PYTHON ?= $(firstword $(shell command -v python3.11 2>/dev/null) $(PYTHON))
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
export SAM_CLI_TELEMETRY := 0
export PYTHONDONTWRITEBYTECODE :=

help:
	@echo "make dev        run Accord locally (API on http://127.0.0.1:$${PORT:-3000}, moto, SQS worker)"
	@echo "make dev-reset  wipe local state (.accord-local/)"
	@echo "make invoke FN=TeamsFunction EVENT=events/teams-list.json   one function, one event, against make dev (sam local invoke without Docker)"
	@echo "make test       unit + integration + local-runtime + e2e tests, cfn-lint, sam validate --lint"
	@echo "make bench      cold-start and schema-engine figures"
	@echo "make fuzz       schemathesis, 200 examples per operation (make test runs 8)"
	@echo "make build      sam build (arm64, no Docker needed)"
	@echo "make openapi    regenerate functions/platform/openapi.json"
	@echo "make ui         build the web UI (ui/ -> functions/ui/static/; make dev, test and build do it)"

$(VENV)/.stamp: requirements/runtime.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/dev.txt
	touch $@

$(SAM_VENV)/.stamp: requirements/sam.txt
	$(SAM_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q --upgrade pip
	$(SAM_VENV)/bin/python -m pip install -q -r requirements/sam.txt
	touch $@

venv: $(VENV)/.stamp

# The web UI (ui/): npm packages from the lock file, then the bundle into functions/ui/static/
# (what UiFunction serves at /ui/; built, never committed).
UI_DEPS := ui/node_modules/.stamp
UI_BUILD := functions/ui/static/index.html
$(UI_DEPS): ui/package.json ui/package-lock.json
	@command -v npm >/dev/null || { echo "make: the web UI needs Node.js 20 and npm (apt-get install nodejs npm)" >&2; exit 1; }
	cd ui && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(UI_BUILD): $(UI_DEPS) ui/build.mjs $(shell find ui/src -type f 2>/dev/null)
	cd ui && node build.mjs

ui: $(UI_BUILD)

# Debian's chromium for the browser tests and the UI bench (Playwright drives it by path: its own
# browser download cannot run on these machines). Installed once, when missing.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
browser:
	@test -x $(CHROMIUM) || { echo "make: installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

dev: $(VENV)/.stamp $(UI_BUILD)
	$(PY) -m local

dev-reset:
	rm -rf $${ACCORD_STATE_DIR:-.accord-local}

# `sam local invoke $(FN) -e $(EVENT) --env-vars $(ENV_VARS)`, without Docker, against a running `make dev`
# (local/invoke.py). ENV_VARS= (empty): find make dev by PORT / ACCORD_LOCAL_AWS_PORT instead.
ENV_VARS ?= events/env.json
invoke: $(VENV)/.stamp
	@test -n "$(FN)" || { echo "usage: make invoke FN=<function logical id> [EVENT=events/<file>.json] [ENV_VARS=events/env.json]" >&2; exit 2; }
	@$(PY) -m local.invoke $(FN) $(if $(EVENT),-e $(EVENT)) $(if $(ENV_VARS),--env-vars $(ENV_VARS))

test: $(VENV)/.stamp $(SAM_VENV)/.stamp $(UI_BUILD) browser lint build
	$(PY) -m pytest -q -n 2 --dist loadgroup tests

lint: $(VENV)/.stamp $(SAM_VENV)/.stamp
	$(VENV)/bin/cfn-lint template.yaml
	$(SAM) validate --lint --region us-east-1 --template template.yaml

bench: $(VENV)/.stamp $(UI_BUILD) browser
	$(PY) bench/run.py

fuzz: $(VENV)/.stamp
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(PY) -m pytest -q tests/e2e/test_fuzz.py

openapi: $(VENV)/.stamp
	$(PY) tools/gen_openapi.py

build: $(SAM_VENV)/.stamp $(UI_BUILD)
	PATH="$(dir $(PYTHON)):$$PATH" $(SAM) build --template template.yaml

.PHONY: help venv dev dev-reset invoke test lint bench fuzz openapi build ui browser
