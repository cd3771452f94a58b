# Leadgate: `make run` serves the app with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export LEADGATE_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install assets browser run test lint typecheck contracts pytest bench fmt clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Front-end libraries come from npm (package-lock.json) and are served from an ignored folder.
VENDOR := leadgate/web/static/vendor
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/sortablejs/Sortable.min.js \
	   node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/
	touch $@

assets: $(VENDOR)/.stamp

# Browser tests drive the system Chromium (Debian package); Playwright never downloads one.
browser:
	@command -v chromium >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# Development mode on the embedded SQLite database under var/.
run: install assets
	@mkdir -p var
	LEADGATE_ENV=development $(BIN)/leadgate db upgrade
	LEADGATE_ENV=development $(BIN)/leadgate demo load
	@echo "Leadgate: http://127.0.0.1:8000  (API docs: http://127.0.0.1:8000/api/docs)"
	@echo "Sign in at http://127.0.0.1:8000/sign-in as admin@leadgate.example / leadgate-demo"
	@echo "(the API takes the same login at POST /api/v1/auth/token)"
	LEADGATE_ENV=development $(BIN)/leadgate serve

lint: install
	$(BIN)/ruff check leadgate tests bench
	$(BIN)/ruff format --check leadgate tests bench

typecheck: install
	$(BIN)/mypy leadgate

contracts: install
	$(BIN)/lint-imports

pytest: install assets browser
	$(BIN)/pytest -q

test: lint typecheck contracts pytest

bench: install
	$(BIN)/python -m bench.run_all

fmt: install
	$(BIN)/ruff check --fix leadgate tests bench
	$(BIN)/ruff format leadgate tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules $(VENDOR) test-output
