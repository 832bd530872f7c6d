# Customer segmentation — every task is a make target. `make help` lists them.
#   make run    set up everything, train, build the dashboard, serve API + dashboard on :8000
#   make test   set up everything and run every test suite (this is what CI runs)
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
TEST_PREREQS :=
TEST_SUITES :=
include $(sort $(wildcard mk/*.mk))

.PHONY: help setup system-deps run train serve test test-python lint format bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: backend/requirements.txt backend/requirements-dev.txt backend/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r backend/requirements-dev.txt
	touch $@

setup: system-deps $(VENV)/.installed ## Create .venv and install pinned Python dependencies

system-deps: ## Install the Debian packages the tests need (chromium, wrk) when missing (needs root)
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	  else echo "note: install$$missing with apt-get (as root) for the browser tests and HTTP benchmark"; fi; \
	fi

train: setup ## Run the segmentation pipeline on the canonical data
	$(PY) backend/src/main.py

run: setup train $(RUN_PREREQS) ## Set up, train, build the dashboard and serve everything on http://HOST:PORT
	$(VENV)/bin/uvicorn backend.src.main:app --host $(HOST) --port $(PORT)

serve: setup ## Serve the API (and the dashboard, if built) with auto-reload
	$(VENV)/bin/uvicorn backend.src.main:app --host $(HOST) --port $(PORT) --reload

test: setup $(TEST_PREREQS) ## Run every test suite (Python, dashboard, browser, notebooks, Spark)
	$(MAKE) --no-print-directory test-python $(TEST_SUITES)

test-python: ## Run the Python test suite only
	cd backend && ../$(PY) -m pytest -q -m "not browser and not spark"

lint: setup ## ruff + mypy on the backend package
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
