# Tavolo: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export FLASK_APP := wsgi

.PHONY: install assets i18n run test test-pg test-e2e bench migrate check-migrations clean browser

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

static/vendor/.built: package.json package-lock.json scripts/build_assets.mjs
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/build_assets.mjs
	touch $@

translations/.compiled: $(VENV)/.installed $(wildcard translations/*/LC_MESSAGES/messages.po)
	$(BIN)/pybabel compile -d translations 2>&1 | grep -v "^compiling" || true
	touch $@

install: $(VENV)/.installed static/vendor/.built translations/.compiled

assets: static/vendor/.built

i18n: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations 2>&1 | grep -v "^compiling" || true

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	PORT=$(PORT) $(BIN)/python wsgi.py

test: install
	$(BIN)/pytest -q -m "not e2e"

test-pg: install
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -m "not e2e"

# Debian's chromium drives the browser tests (never a browser download).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

test-e2e: install browser
	$(BIN)/pytest -q -m e2e tests/e2e

bench: install
	$(BIN)/python bench/run_matrix.py

migrate: install
	$(BIN)/flask db migrate -m "$(m)"

clean:
	rm -rf $(VENV) node_modules static/vendor translations/.compiled
