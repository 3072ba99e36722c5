# One entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MODEL := models/pct-assistant.tar.gz
WIDGET := web/vendor/rasa-webchat.js
# axe-core, the accessibility checker of the widget tests (never served to users)
AXE := tests/vendor/axe.min.js
# Everything a trained model depends on: retrain only when one of these changed.
# The folders too: removing a data file changes only its folder's time.
TRAIN_INPUTS := config.yml domain.yml $(shell find data components safety -name __pycache__ -prune -o \( -type d -o -name '*.yml' -o -name '*.py' \) -print 2>/dev/null)
RASA := $(BIN)/rasa
export TF_CPP_MIN_LOG_LEVEL ?= 2
# Rasa would otherwise send usage telemetry and crash reports to a third party.
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

.PHONY: help install browser services train run shell test test-fast test-unit validate test-stories bench rounds outcomes lint format lock purge report screenshots clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: $(INSTALLED) $(WIDGET) ## create .venv (Python 3.10) with the pinned dependencies, vendor the widget

$(INSTALLED): requirements.lock requirements-dev.lock scripts/install.sh scripts/build_spacy_pipeline.py
	scripts/install.sh

$(WIDGET): scripts/vendor_widget.sh scripts/npm_fetch.sh
	scripts/vendor_widget.sh

$(AXE): scripts/vendor_axe.sh scripts/npm_fetch.sh
	scripts/vendor_axe.sh

browser: ## Debian's Chromium for the widget tests
	scripts/install_browser.sh

services: $(INSTALLED) ## PostgreSQL, Redis, nginx and the deploy/ checkers, for the scale-out tests
	scripts/install_services.sh
	scripts/install_deploy_tools.sh

train: $(MODEL) ## train the model if data, domain or config changed

$(MODEL): $(INSTALLED) $(TRAIN_INPUTS)
	$(RASA) train --fixed-model-name $(basename $(basename $(notdir $(MODEL)))) --out models
	@touch $@

run: $(MODEL) $(WIDGET) ## install, train if stale, start everything, print where to chat
	scripts/run.sh

shell: $(MODEL) ## chat in the terminal
	scripts/run.sh --shell

validate: $(INSTALLED) ## check domain, data and stories for conflicts (warnings fail)
	$(BIN)/python -m scripts.validate_data

test-unit: $(MODEL) $(WIDGET) $(AXE) browser services ## the pytest suite (starts its own servers and browser)
	$(BIN)/pytest

test-fast: $(INSTALLED) ## the tests that need no trained model, server, browser or database
	$(BIN)/pytest -m "not servers"

test-stories: $(MODEL) ## test stories against the trained model
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
	    --fail-on-prediction-errors --out results/stories

test: validate test-unit test-stories ## everything CI runs

bench: $(MODEL) ## accuracy, baselines, latency, memory -> bench/results/
	$(BIN)/python -m bench

# ROUND names the result; compare two with `$(BIN)/python -m bench.rounds --compare A B`.
ROUND ?= $(shell git rev-parse --short HEAD)
rounds: $(MODEL) ## issue 9's counts, risk model at 3 random states -> build/rounds/ROUND.json
	$(BIN)/python -m bench.rounds $(ROUND)

outcomes: $(MODEL) ## record what the model decides for every evaluation message (tests/decisions/)
	$(BIN)/python -m tests.outcomes

lint: $(INSTALLED) ## ruff, format check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(INSTALLED) ## apply ruff's formatter and fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: ## re-resolve requirements(-dev).in into the hash-pinned requirements(-dev).lock
	scripts/lock.sh

purge: $(INSTALLED) ## delete conversations older than the retention period (privacy/settings.yml)
	@mkdir -p var
	$(BIN)/python -m privacy.retention

report: $(INSTALLED) ## write reports/insights.html from the stored conversations (counts only)
	$(BIN)/python -m insights

screenshots: ## refresh docs/ screenshots from the last widget and report test runs
	mkdir -p docs && cp results/screenshots/widget-*.png results/screenshots/insights-*.png docs/

clean: ## remove build outputs (models, results, reports, build, .venv) and stored conversations (var/)
	rm -rf models build results reports web/vendor tests/vendor var $(VENV) .pytest_cache .mypy_cache .ruff_cache
