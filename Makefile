# openai-mock — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PIP := $(BIN)/python -m pip install --disable-pip-version-check -q

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  \033[1m%-16s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-local: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[local]'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[dev]'
	@touch $@ $(VENV)/.installed-local

install: $(VENV)/.installed-dev ## Create .venv and install everything (dev extras included)

serve: $(VENV)/.installed-local ## Start the mock on $(HOST):$(PORT) with the in-memory store
	$(BIN)/openai-mock serve --host $(HOST) --port $(PORT)

dynamodb-local: ## Fetch DynamoDB Local (npm package amplify-dynamodb-simulator) for the store tests
	@bash tools/dynamodb_local.sh >/dev/null || echo "DynamoDB Local unavailable: its tests will be skipped"

test: $(VENV)/.installed-dev dynamodb-local lint ## Lint, then run the whole test suite
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev ## ruff, mypy, template lint, generated-requirements drift
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml
	$(BIN)/python tools/gen_requirements.py --check

requirements: ## Regenerate shared/requirements.txt (the layer's dependencies) from pyproject.toml
	$(BIN)/python tools/gen_requirements.py

bench: $(VENV)/.installed-dev ## Run the benchmarks in bench/ and print the figures
	$(BIN)/python bench/run.py

.PHONY: help install serve dynamodb-local test lint requirements bench
