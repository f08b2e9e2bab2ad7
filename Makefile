# Souk Tadamon: `make run` serves the demo, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test lint worker beat bench install migrate seed clean translations i18n-extract i18n-update prod-check drill-cluster

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
run: translations seed
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --with-threads

## Lint, import contracts and the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set),
## in parallel processes (pytest-xdist; each has its own database: souk_test_gw0, ...), printing the
## slowest tests. `make test PYTEST_WORKERS=0` runs in one process; PYTEST_ARGS picks tests.
## Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: otherwise every worker rewrites
## the asserts of every test module (and of the pytest plugins' packages) again on every run.
PYTEST_WORKERS ?= auto
test: install translations lint
	PYTHONDONTWRITEBYTECODE= APP_ENV=testing $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup \
	  --durations=25 $(PYTEST_ARGS)

## Compile the Arabic, French and English catalogs (.po -> the .mo files the app reads)
translations: install
	$(BIN)/pybabel -q compile -d app/translations -D messages

# The one definition of which strings are extracted: tests/i18n re-extracts with it.
POT ?= app/translations/messages.pot
i18n-extract:
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
	  -c Translators: --add-location=file --sort-output --no-wrap \
	  --project="Souk Tadamon" --copyright-holder="Souk Tadamon" -o $(POT) .

## Developers: extract every marked string and merge it into ar, fr and en; then translate the new
## entries (tests/i18n names every msgid that lacks a translation)
i18n-update: install i18n-extract
	$(BIN)/pybabel update -i $(POT) -d app/translations -D messages --no-wrap --ignore-obsolete --no-fuzzy-matching
	$(BIN)/python scripts/fill_english_catalog.py

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

## The production configuration (honcho: gunicorn x2, a worker, beat) on PostgreSQL and Redis,
## walked through a smoke journey, then stopped; non-zero exit on failure (docs/deploy.md)
prod-check: install translations
	$(BIN)/python scripts/prod_check.py

## Two web nodes behind a round-robin, two workers (one SIGKILLed mid-payout), beat, PostgreSQL,
## Redis; then the same through PgBouncer (transaction pooling). Bigger than in `make test`.
DRILL_SHOPPERS ?= 60
drill-cluster: install translations
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/souk_ops} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/12} REQUIRE_SERVICES=1 \
	DRILL_SHOPPERS=$(DRILL_SHOPPERS) DRILL_COOPERATIVES=6 APP_ENV=testing \
	$(BIN)/python -m pytest tests/drills/test_cluster.py -v -p no:cacheprovider

## Benchmarks that print ratios, on PostgreSQL at BENCH_DATABASE_URL (default: database souk_bench
## on 127.0.0.1, created and wiped; DATABASE_URL is never touched). `make bench BENCH_ARGS="catalog --quick"`
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite3* instance/media instance/test-media
