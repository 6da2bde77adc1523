# Civiquest. `make run` serves the demo city; `make test` checks everything.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app
CATALOGUES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test lint format bench bench-ingest bench-connectors translations extract-messages migrate clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

%.mo: %.po $(VENV)/.runtime-installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(COMPILED)

## Serve the app with demo data on http://127.0.0.1:5000
run: $(VENV)/.runtime-installed translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:5000 --access-logfile - wsgi:app

# The suite runs in one xdist worker per CPU (each with its own database), fed two tests at a time so
# the long ones, which tests/conftest.py puts first, spread over the workers. PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist load --maxschedchunk 2

## Lint, then the whole suite on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL
test: $(VENV)/.dev-installed translations lint
	env -u TEST_DATABASE_URL $(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== again on PostgreSQL"; $(PYTEST); fi

## Ruff, then the layer contract (.importlinter): imports point down the layers, no cycles anywhere
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=. $(BIN)/lint-imports --no-cache

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks on SQLite and PostgreSQL, written to docs/benchmarks.md: the leaderboard at 1k, 10k and 100k
## participants, a year's staff statistics export over 100k residents and 5M submissions, then submission ingest
## under gunicorn (INGEST_BENCH_ARGS, e.g. "--databases sqlite --seconds 10"; `make bench-ingest` runs it alone),
## then the utility's meter connector (CONNECTORS_BENCH_ARGS; `make bench-connectors` runs it alone)
bench: $(VENV)/.dev-installed translations
	@psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw civiquest_bench \
		|| createdb -h 127.0.0.1 -U postgres civiquest_bench
	$(BIN)/python -m bench.leaderboard $(BENCH_ARGS)
	$(BIN)/python -m bench.stats $(STATS_BENCH_ARGS)
	$(BIN)/python -m bench.ingest $(INGEST_BENCH_ARGS)
	@psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw civiquest_bench_connectors \
		|| createdb -h 127.0.0.1 -U postgres civiquest_bench_connectors
	$(BIN)/python -m bench.connectors $(CONNECTORS_BENCH_ARGS)

## The ingest benchmark alone: submissions/s under gunicorn against /healthz, then a check for zero drift
bench-ingest: $(VENV)/.dev-installed translations
	@psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw civiquest_bench \
		|| createdb -h 127.0.0.1 -U postgres civiquest_bench
	$(BIN)/python -m bench.ingest $(INGEST_BENCH_ARGS)

## The meter connector benchmark alone: a day's readings of 10k and 100k households (daily and 15-minute files)
## through the bulk endpoint, a scored city against the single-submission API (e.g. CONNECTORS_BENCH_ARGS=
## "--databases sqlite --sizes 10000 --scored 1000")
bench-connectors: $(VENV)/.dev-installed translations
	@psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw civiquest_bench_connectors \
		|| createdb -h 127.0.0.1 -U postgres civiquest_bench_connectors
	$(BIN)/python -m bench.connectors $(CONNECTORS_BENCH_ARGS)

## Refresh the message catalogues after changing user-visible strings
extract-messages: $(VENV)/.dev-installed
	$(BIN)/pybabel extract --no-location -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i app/translations/messages.pot -d app/translations

## Write a new migration after changing models: make migrate m="what changed"
migrate: $(VENV)/.runtime-installed
	$(BIN)/flask db migrate -m "$(m)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
