# faka — every target installs what it needs first (see `install`).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Lambda runtime is Python 3.13; use it locally when the machine has it, else any Python >= 3.11.
# pyenv shims answer `command -v` for versions they cannot run, so each candidate is actually run.
PYTHON ?= $(shell for candidate in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 python3.12 \
	$$HOME/.pyenv/versions/3.12*/bin/python3.12 python3.11 python3; do \
	$$candidate -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$candidate; break; }; \
	done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install browser local test lint typecheck unit integration infra e2e security synth bench chaos train-triage triage-corrections triage-retrain clean

help:
	@echo "make local   run the whole system on this machine (API on :3000, AWS emulator on :4566)"
	@echo "make test    install everything, then lint, type-check and run every test suite"
	@echo "make synth   synthesize the CloudFormation template (offline)"
	@echo "make bench   print performance figures"
	@echo "make chaos   10,000 orders through duplicate webhooks, injected faults and a restock; prints what reconciliation found"
	@echo "make train-triage  retrain the ticket triage model from data/triage/ (operators' corrections included)"
	@echo "make triage-corrections  pull operators' intent corrections from make local (or FROM=export.jsonl) into data/triage/"
	@echo "make triage-retrain  pull corrections, retrain, promote the model only when better (faka triage retrain)"

$(STAMP): pyproject.toml package.json package-lock.json
	@test -n "$(PYTHON)" || { echo "faka needs Python 3.11 or newer on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP)

# The console's and storefront's browser tests drive Debian's chromium (playwright never downloads a browser here);
# the CJK fonts make the zh-CN screenshots readable.
browser:
	@test -x /usr/bin/chromium -a -d /usr/share/fonts/opentype/noto || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		$$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-noto-cjk; }

local: install
	$(BIN)/faka local

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest tests/unit -q

integration: install
	$(BIN)/pytest tests/integration -q

infra: install
	$(BIN)/pytest tests/infra -q

e2e: install browser
	$(BIN)/pytest tests/e2e -q

# cdk-nag runs inside every synth (tests/infra synthesizes too); cfn-lint checks the template;
# ruff's S rules (bandit) run with lint.
security: synth
	$(BIN)/cfn-lint cdk.out/FakaStack.template.json --ignore-checks W3005

test: lint typecheck security browser
	$(BIN)/pytest tests -q -n 2 --dist loadgroup

synth: install
	npx --no-install cdk synth --quiet --no-notices > /dev/null

bench: install synth
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/write_cost.py
	$(BIN)/python benchmarks/flash_sale.py
	$(BIN)/python benchmarks/cost.py
	$(BIN)/python benchmarks/cold_start.py
	$(BIN)/python benchmarks/packages.py
	$(BIN)/python benchmarks/triage.py
	$(BIN)/python benchmarks/triage.py --data data/triage/holdout.jsonl
	$(BIN)/python benchmarks/triage.py --real
	$(BIN)/python benchmarks/knowledge.py
	$(BIN)/python benchmarks/tickets.py
	$(BIN)/python benchmarks/drafts.py
	$(BIN)/python benchmarks/operator_orders.py

# Not part of `make test`: minutes of work. Fails only if a key was lost or given to two lines.
chaos: install
	$(BIN)/python benchmarks/chaos.py

# Retrains the ticket triage model from data/triage/ (deterministic: the same data gives the same file),
# data/triage/corrections.jsonl included when it exists.
train-triage: install
	$(BIN)/python -m faka.triage.train

# Pulls operators' intent corrections into data/triage/corrections.jsonl through the operator API (faka local's
# unless FAKA_ENDPOINT says otherwise; FAKA_ADMIN_TOKEN), or from a JSONL export with FROM=file.jsonl. Conflicts
# with the curated data are printed (training leaves them out).
triage-corrections: install
	$(BIN)/faka triage pull $(if $(FROM),--from $(FROM))

# Pulls corrections (the operator API, or FROM=file.jsonl), retrains, and promotes the new model only when it is
# better on the held-out sets; every model is kept as a version in data/triage/models/ (faka triage versions).
triage-retrain: install
	$(BIN)/faka triage retrain $(if $(FROM),--from $(FROM))

clean:
	rm -rf $(VENV) node_modules build cdk.out
