# geosvc: common tasks. Every target that needs the database runs scripts/setup.sh first,
# which is idempotent and quick once everything is installed.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  := $(BIN)/python
GEOSVC  := $(BIN)/geosvc

# Demo inputs and knobs (override on the command line: make demo DEMO_INCIDENTS=5000).
WARDS_GEOJSON  := data/wards/gauteng_metros_wards_2020.geojson
CENSUS_DIR     := data/census2011
DEMO_DIR       := demo-data
DEMO_INCIDENTS ?= 20000
DEMO_SURVEYS   ?= 3000
DEMO_SEED      ?= 42

LOAD_WARDS    := $(GEOSVC) wards load $(WARDS_GEOJSON)
LOAD_CENSUS   := $(GEOSVC) census load $(CENSUS_DIR)
DEMO_GENERATE := $(GEOSVC) demo generate --incidents $(DEMO_INCIDENTS) --surveys $(DEMO_SURVEYS) --seed $(DEMO_SEED) --out $(DEMO_DIR)
DEMO_LOAD     := $(GEOSVC) demo load $(DEMO_DIR)
DEMO_SURVEYS_LOAD := $(GEOSVC) surveys load $(DEMO_DIR)/surveys_kobo.csv --schema default --worker demo-cdw
ALLOCATIONS   := data/allocations/sample_allocations.csv
LOAD_ALLOCATIONS := $(GEOSVC) allocations load $(ALLOCATIONS)
ANALYSE       := $(GEOSVC) analyse
DEMO_RECENT   := $(GEOSVC) demo recent --count 150
DEMO_USERS    := $(GEOSVC) demo users
SERVE         := $(GEOSVC) serve

PYTEST_ARGS ?=

.PHONY: help setup venv demo test lint bench clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-6s %s\n", $$1, $$2 }'

setup: ## install PostgreSQL/PostGIS if needed, the virtualenv, .env, and migrate
	bash scripts/setup.sh

venv: ## only the virtualenv (no database)
	bash scripts/setup.sh --venv-only

demo: setup ## load wards, census and generated demo data, analyse, then serve on 127.0.0.1:8000
	$(LOAD_WARDS)
	$(LOAD_CENSUS)
	$(DEMO_GENERATE)
	$(DEMO_LOAD)
	$(DEMO_SURVEYS_LOAD)
	$(LOAD_ALLOCATIONS)
	$(ANALYSE)
	$(DEMO_RECENT)
	$(DEMO_USERS)
	$(SERVE)

test: ## run the test suite, browser tests included (extra pytest arguments: PYTEST_ARGS='-k wards -x')
	bash scripts/setup.sh --browser
	$(PYTHON) -m pytest $(PYTEST_ARGS)

lint: venv ## ruff check, ruff format --check, mypy, and the import contracts of ARCHITECTURE.md
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup ## run the benchmarks
	$(PYTHON) bench/run_all.py

clean: ## remove the virtualenv, demo data, artifacts and caches
	rm -rf $(VENV) $(DEMO_DIR) artifacts .pytest_cache .mypy_cache .ruff_cache build *.egg-info
