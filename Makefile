# ncbi-gene-kg: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?=
OUT ?= output
TAXA ?= default
PUBLICATIONS ?=
BIOLINK_STRICT ?=
PROFILE ?= small
FORMATS ?= tsv

.DEFAULT_GOAL := help
.PHONY: help install transform test download bench neo4j clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/ncbi-gene-kg: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	@touch $@

install: $(BIN)/ncbi-gene-kg ## Create the virtualenv with the pinned dependencies

transform: install ## Build the graph from DATA (default data/, else the bundled sample) into OUT (FORMATS=tsv,jsonl,parquet,nt)
	$(BIN)/ncbi-gene-kg transform $(if $(DATA),--data $(DATA)) --out $(OUT) --taxa $(TAXA) --format $(FORMATS) $(if $(PUBLICATIONS),--publications) $(if $(filter 1 true yes,$(BIOLINK_STRICT)),--biolink-strict)

test: install ## Run lint, format and type checks and the test suite (offline)
	$(BIN)/ruff check src transforms tests bench scripts docs/template
	$(BIN)/ruff format --check src transforms tests bench scripts docs/template
	$(BIN)/mypy
	$(BIN)/pytest

download: install ## Fetch the NCBI files for the taxon scope into DATA
	$(BIN)/ncbi-gene-kg download --data $(or $(DATA),data) --taxa $(TAXA)

bench: install ## Benchmark floor, per-row baseline and this pipeline on a corpus (PROFILE=small|full)
	$(BIN)/python bench/run.py --profile $(PROFILE)

neo4j: install ## Export the graph in OUT for neo4j-admin import into OUT/neo4j (prints the import command)
	$(BIN)/ncbi-gene-kg neo4j-export --graph $(OUT) --out $(OUT)/neo4j

clean: ## Remove generated outputs (keeps downloads)
	find $(OUT) -mindepth 1 ! -name README.md -delete
