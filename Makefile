# Casework: `make run` starts the whole platform, `make test` runs every test.
# Both set everything up themselves: virtualenv, packages, RabbitMQ management plugin, databases.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench chaos soak fuzz lint migrate services deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

deps: $(STAMP)

# Start PostgreSQL and RabbitMQ when they run on this machine but are stopped (no-op otherwise).
services:
	@bash scripts/ensure-services.sh

migrate: deps services
	$(BIN)/casework migrate

run: migrate
	$(BIN)/casework run

test: deps services
	$(BIN)/pytest -m "not chaos" $(PYTEST_ARGS)

bench: deps services
	$(BIN)/python -m bench $(BENCH_ARGS)

chaos: deps services
	$(BIN)/pytest -m chaos tests/chaos $(PYTEST_ARGS)

soak: deps services
	$(BIN)/python -m bench soak $(BENCH_ARGS)

lint: deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
