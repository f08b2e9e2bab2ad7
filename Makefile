# Souk Tadamon: `make run` serves the demo, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test lint worker beat bench install migrate seed clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/flask db upgrade

## Load the demo fair (idempotent) and print its accounts; `make seed SEED_ARGS=--no-images`
seed: migrate
	PORT=$(PORT) $(BIN)/flask seed-demo $(SEED_ARGS)

## Serve the storefront with SQLite and eager tasks on http://127.0.0.1:$(PORT)
run: seed
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --with-threads

## Lint, import contracts and the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
test: install lint
	APP_ENV=testing $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## A Celery worker against REDIS_URL
worker: install
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL, e.g. redis://127.0.0.1:6379/0" && exit 1)
	$(BIN)/celery -A workers.worker worker --loglevel=INFO

## Celery beat (periodic tasks) against REDIS_URL
beat: install
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL, e.g. redis://127.0.0.1:6379/0" && exit 1)
	$(BIN)/celery -A workers.worker beat --loglevel=INFO --schedule instance/celerybeat-schedule

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance/*.sqlite3* instance/media instance/test-media
