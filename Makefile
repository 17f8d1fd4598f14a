# Kantor Bersama — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
DEMO ?= 1
export FLASK_APP := intranet

VENDOR := intranet/static/vendor
PO := $(wildcard intranet/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test test-postgres bench lint format setup translations extract-messages clean

setup: $(BIN)/.installed node_modules/.installed $(VENDOR)/.copied $(MO)

# Python: a virtual environment with the pinned dependencies of pyproject.toml.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# Front end: pinned npm packages, then the files the pages need copied into static/.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.copied: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/
	touch $@

%.mo: %.po $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(MO)

extract-messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --project='Kantor Bersama' --version=0.1.0 --no-location --sort-output -o intranet/translations/messages.pot .
	$(BIN)/pybabel update -i intranet/translations/messages.pot -d intranet/translations --no-fuzzy-matching --ignore-obsolete

# No gunicorn access log: the app logs every request itself, with its request id.
run: setup
	$(BIN)/flask db upgrade
	INTRANET_DEMO=$(DEMO) $(BIN)/flask seed-demo
	INTRANET_DEMO=$(DEMO) $(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) \
	  --no-control-socket wsgi:app

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint
	$(BIN)/python -m pytest

test-postgres: setup
	$(BIN)/python scripts/with_postgres.py $(BIN)/python -m pytest

# Speed with a large office's data: generates it (bench/data/, never the user's database),
# serves it with gunicorn and loads every page with wrk; see README, "Speed".
bench: setup
	command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" -eq 0 ] && S="" || S=sudo; \
	  $$S apt-get install -y -qq wrk || { $$S apt-get update -qq && $$S apt-get install -y -qq wrk; }; }
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache
