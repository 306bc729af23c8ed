# Casework: `make run` starts the whole platform, `make test` runs every test.
# Both set everything up themselves: PostgreSQL and RabbitMQ (installed with apt-get on Debian
# where missing, started where stopped, with RabbitMQ's management plugin), the virtualenv,
# packages and databases.
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

# Install (Debian), start and configure PostgreSQL and RabbitMQ where they are missing or stopped
# on this machine; a no-op where they answer (scripts/ensure-services.sh).
services:
	@bash scripts/ensure-services.sh

migrate: services deps
	$(BIN)/casework migrate

run: migrate
	$(BIN)/casework run

# the browser tests (tests/web) and the page-weight benchmark also need Debian's chromium and
# chromium-driver: `services` installs them for these targets (a variable their prerequisites see)
test: export CASEWORK_ENSURE_CHROMIUM = 1
test: services deps
	$(BIN)/pytest -m "not chaos" $(PYTEST_ARGS)

bench: export CASEWORK_ENSURE_CHROMIUM = 1
bench: services deps
	$(BIN)/python -m bench $(BENCH_ARGS)

chaos: services deps
	$(BIN)/pytest -m chaos tests/chaos $(PYTEST_ARGS)

soak: services deps
	$(BIN)/python -m bench soak $(BENCH_ARGS)

lint: deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
