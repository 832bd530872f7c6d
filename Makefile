# Customer segmentation — every task is a make target. `make help` lists them.
#   make run    install what running needs, train, build the dashboard, serve API + dashboard on :8000
#   make test   install everything the tests need and run every test suite and lint (this is what CI runs)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The canonical data's local mirror (beside the checkout, as in CI); the fetcher downloads otherwise.
SHARED_DATA := $(abspath ../shared/data)
ifneq ($(wildcard $(SHARED_DATA)/Mall_Customers.csv),)
export MALL_DATA_MIRROR ?= $(SHARED_DATA)
endif

# Helper targets of each part of the product live in mk/*.mk. They append to:
#   TEST_PREREQS  targets to build before the test suites run (e.g. the dashboard export)
#   TEST_SUITES   test targets run by `make test`, after the Python suite
#   TEST_DEB_PACKAGES  Debian packages only the tests or benchmarks use: `make test` installs the
#                      missing ones (as root); `make run` never installs any Debian package
TEST_PREREQS :=
TEST_SUITES :=
TEST_DEB_PACKAGES := chromium wrk postgresql
include $(sort $(wildcard mk/*.mk))

.PHONY: help setup setup-runtime system-deps check-port run train serve test test-python lint format bench clean

help: ## List the targets (and the variables you can set)
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'
	@echo "Variables (make VAR=value target):"
	@echo "  HOST=$(HOST)  PORT=$(PORT)   where make run / make serve listen (e.g. make run PORT=8001)"
	@echo "  PYTHON=$(PYTHON)  VENV=$(VENV)   the interpreter that creates the virtualenv, and its folder"

# Two stamps: what running needs (requirements.txt), and what testing and development add
# (requirements-dev.txt: pytest, playwright, schemathesis, mypy, Jupyter …). mk/*.mk depend on the second.
$(VENV)/.runtime-installed: backend/requirements.txt backend/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r backend/requirements.txt
	touch $@

$(VENV)/.installed: $(VENV)/.runtime-installed backend/requirements-dev.txt
	$(PIP) install --quiet -r backend/requirements-dev.txt
	touch $@

setup-runtime: $(VENV)/.runtime-installed ## Create .venv with what running needs only (no test tools, no Debian package)

setup: system-deps $(VENV)/.installed ## Create .venv with everything: runtime, test and development tools

system-deps: ## Install the Debian packages the tests need (TEST_DEB_PACKAGES) when missing (needs root)
	@missing=""; \
	for package in $(TEST_DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	  else echo "note: install$$missing with apt-get (as root) for the browser tests and HTTP benchmark"; fi; \
	fi

check-port: ## Fail at once (one line) when HOST:PORT is taken, before any set-up
	@$(PYTHON) backend/scripts/check_port.py $(HOST) $(PORT)

train: setup-runtime ## Run the segmentation pipeline on the canonical data
	$(PY) backend/src/main.py

run: check-port setup-runtime train $(RUN_PREREQS) ## Install what running needs, train, build the dashboard, serve on http://HOST:PORT
	$(VENV)/bin/uvicorn backend.src.main:app --host $(HOST) --port $(PORT)

serve: setup-runtime ## Serve the API (and the dashboard, if built) with auto-reload of backend/src
	$(VENV)/bin/uvicorn backend.src.main:app --host $(HOST) --port $(PORT) --reload --reload-dir backend/src

test: setup $(TEST_PREREQS) ## Run every test suite (Python, lint, dashboard, browser, notebooks, Spark)
	$(MAKE) --no-print-directory test-python lint $(TEST_SUITES)

test-python: ## Run the Python test suite only
	cd backend && ../$(PY) -m pytest -q -m "not browser and not spark"

lint: $(VENV)/.installed ## ruff check, ruff format --check and mypy on the backend
	$(VENV)/bin/ruff check backend
	$(VENV)/bin/ruff format --check backend
	$(VENV)/bin/mypy --config-file backend/pyproject.toml backend/src/customer_segmentation

format: setup ## Format the backend with ruff
	$(VENV)/bin/ruff format backend
	$(VENV)/bin/ruff check --fix backend

bench: setup $(BENCH_TARGETS) ## Run every benchmark (see mk/*.mk for each one)

clean: ## Remove generated artifacts (keeps the cached raw data)
	rm -rf backend/data/processed/*.csv backend/data/processed/*.parquet backend/models/*.pkl backend/models/*.json \
	  backend/reports/figures/*.png backend/reports/*.txt backend/reports/*.json
