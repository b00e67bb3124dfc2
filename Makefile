# Every target bootstraps what it needs on a fresh machine (Python 3.11, Node 20, npm).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# Debian's chromium: the HTML report test opens `rft compare --report` output in it (headless).
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# Compiled wheels for the reward Lambda (arm64, Python 3.14), unpacked for synth to copy.
LAMBDA_WHEELS := build/lambda-wheels
LAMBDA_PACKAGES := build/lambda-packages
LAMBDA_STAMP := $(LAMBDA_PACKAGES)/.installed
ENV ?= dev
CDK := npx --no-install cdk

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup synth synth-delivery deploy-delivery deploy diff test test-fast lint bench checkov docs schema clean

$(PY_STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

$(LAMBDA_STAMP): requirements-lambda.txt | $(PY_STAMP)
	rm -rf $(LAMBDA_WHEELS) $(LAMBDA_PACKAGES)
	$(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		--require-hashes --platform manylinux_2_28_aarch64 --python-version 3.14 --implementation cp \
		--abi cp314 -r requirements-lambda.txt -d $(LAMBDA_WHEELS)
	for wheel in $(LAMBDA_WHEELS)/*.whl; do $(BIN)/python -m zipfile -e "$$wheel" $(LAMBDA_PACKAGES); done
	touch $@

setup: $(PY_STAMP) $(NODE_STAMP) $(LAMBDA_STAMP)  ## .venv, node_modules and the Lambda's wheels, from the pinned files

synth: setup  ## synthesize environments/$(ENV).toml into cdk.out (no AWS credentials needed)
	rm -rf cdk.out
	$(CDK) synth --no-notices --quiet -c env=$(ENV)
	$(BIN)/python -m bedrock_rft.tools.synth_summary cdk.out

synth-delivery: setup  ## synthesize the delivery pipeline of environments/delivery.toml into cdk.out.delivery (no credentials), then cfn-lint it
	rm -rf cdk.out.delivery
	$(CDK) synth --no-notices --quiet --app "$(BIN)/python delivery_app.py" -o cdk.out.delivery
	$(BIN)/cfn-lint --non-zero-exit-code error -- $$(find cdk.out.delivery -name '*.template.json')

deploy-delivery: setup  ## deploy the delivery pipeline once (needs credentials for its account); it then updates itself
	$(CDK) deploy --no-notices --app "$(BIN)/python delivery_app.py" --require-approval broadening 'RftDelivery-*'

deploy: setup  ## deploy environments/$(ENV).toml (needs AWS credentials for the target account)
	$(CDK) deploy --no-notices -c env=$(ENV) --require-approval broadening

diff: setup  ## show what a deploy of environments/$(ENV).toml would change
	$(CDK) diff --no-notices -c env=$(ENV)

test: setup $(CHROMIUM)  ## the whole suite: unit, runtime, synth + cdk-nag + cfn-lint, CLI, report in chromium
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

lint: setup  ## ruff on the code, cfn-lint on freshly synthesized templates
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	rm -rf cdk.out
	$(CDK) synth --no-notices --quiet -c env=$(ENV)
	$(BIN)/cfn-lint --non-zero-exit-code error -- cdk.out/*.template.json

$(CHECKOV_STAMP): requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

checkov: setup $(CHECKOV_STAMP)  ## checkov on the dev and prod templates: the figure, >= 95% and every failure explained
	rm -rf cdk.out.checkov
	for env in dev prod; do $(CDK) synth --no-notices --quiet -c env=$$env -o cdk.out.checkov/$$env; done
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --soft-fail --skip-download --framework cloudformation -o json \
	  $$(for t in cdk.out.checkov/*/*.template.json; do printf -- '-f %s ' "$$t"; done) > cdk.out.checkov/report.json
	$(BIN)/python -m bedrock_rft.tools.checkov_summary cdk.out.checkov/report.json README.md

bench: setup  ## benchmarks; prints one table per section
	$(BIN)/python -m benchmarks

docs: setup  ## API reference (pdoc) from the docstrings into docs/api
	$(BIN)/python -m bedrock_rft.tools.api_docs docs/api

schema: setup  ## rewrite the JSON Schema of environment files from the rules
	$(BIN)/python -m bedrock_rft.tools.write_schema

clean:
	rm -rf cdk.out cdk.out.checkov .pytest_cache .ruff_cache .bench docs/api
