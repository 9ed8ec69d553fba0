# Balie — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/balie
# The gettext catalogues; their .mo files are build output (compiled in Python, docs/i18n.md).
LOCALE_PO := $(wildcard src/balie/locale/*/LC_MESSAGES/*.po)
LOCALE_MO := $(LOCALE_PO:.po=.mo)

# axe-core for the browser tests' accessibility checks: pinned in a lockfile, installed from
# npm, never committed (decision 0021).
AXE_DIR := tests/e2e/axe
AXE_JS := $(AXE_DIR)/node_modules/axe-core/axe.min.js
# The NL Design System component CSS the pages use: pinned in frontend/package-lock.json,
# installed from npm and collected into a git-ignored static file (decision 0036).
NLDS_DIR := frontend
NLDS_CSS := src/balie/web/static/balie/nlds/utrecht.css

.PHONY: demo test test-sqlite test-postgres test-contract test-e2e axe nlds lint schema schema-check install messages clean

# constraints.txt pins every package installed, dependencies of dependencies included.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	$(BIN)/python -m balie.ops.catalogues src/balie/locale
	touch $(STAMP)

%.mo: %.po | $(STAMP)  ## a catalogue changed since the install: compile it again
	$(BIN)/python -m balie.ops.catalogues $<

install: $(STAMP) $(LOCALE_MO) nlds

messages: $(STAMP)  ## extract the texts of src/balie into the .po catalogues (needs GNU gettext)
	cd src/balie && BALIE_DATA_DIR=../../var/build ../../$(BIN)/balie makemessages -l nl -l en --add-location file --no-obsolete
	cd src/balie && BALIE_DATA_DIR=../../var/build ../../$(BIN)/balie makemessages -d djangojs -l nl -l en --add-location file --no-obsolete

demo: $(STAMP) $(LOCALE_MO) nlds  ## set up demo data on SQLite in ./data and start Balie on 127.0.0.1:8000
	$(BIN)/balie demo --data-dir data $(if $(PORT),--port $(PORT),)

test: $(STAMP)  ## the whole suite: lint, schema check, SQLite, PostgreSQL, contract, browser
	$(MAKE) lint schema-check test-sqlite test-postgres test-contract test-e2e

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	BALIE_DATA_DIR=var/lint $(BIN)/mypy

schema: $(STAMP)  ## regenerate src/balie/api/openapi.yaml
	BALIE_DATA_DIR=var/schema $(BIN)/balie spectacular --file src/balie/api/openapi.yaml --validate --fail-on-warn

schema-check: $(STAMP)  ## fail when the committed OpenAPI contract differs from the code
	BALIE_DATA_DIR=var/schema $(BIN)/balie spectacular --file var/openapi.generated.yaml --validate --fail-on-warn
	diff -u src/balie/api/openapi.yaml var/openapi.generated.yaml

test-sqlite: $(STAMP) $(LOCALE_MO) nlds
	BALIE_DATA_DIR=var/test-sqlite $(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

test-postgres: $(STAMP) $(LOCALE_MO) nlds  ## the same suite on PostgreSQL; mandatory when CI=true
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		BALIE_DATA_DIR=var/test-postgres DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not e2e" $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL at $(PG_URL) is not reachable and CI=true: failing"; exit 1; \
	else echo "SKIPPED: PostgreSQL at $(PG_URL) not reachable (mandatory with CI=true)"; fi

test-contract: $(STAMP) $(LOCALE_MO) nlds  ## schemathesis against openapi.yaml on a running server (decision 0022)
	$(BIN)/python tests/contract/run.py $(CONTRACT_ARGS)

test-e2e: $(STAMP) $(LOCALE_MO) nlds  ## browser tests in Debian's headless Chromium
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$CI" = "true" ] || [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Install Debian's chromium (apt-get install chromium) for the browser tests"; exit 1; fi; \
	fi
	@$(MAKE) --no-print-directory axe
	BALIE_DATA_DIR=var/test-e2e $(BIN)/pytest -m e2e $(PYTEST_ARGS)

axe:  ## install axe-core from tests/e2e/axe/package-lock.json when missing or out of date
	@if [ -f $(AXE_JS) ] && [ $(AXE_JS) -nt $(AXE_DIR)/package-lock.json ]; then exit 0; fi; \
	if command -v npm >/dev/null && (cd $(AXE_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error); then \
		touch $(AXE_JS); \
	elif [ "$$CI" = "true" ]; then echo "axe-core could not be installed with npm and CI=true: failing"; exit 1; \
	else echo "SKIPPING the accessibility checks: axe-core could not be installed (needs node and npm; see docs/decisions/0021)"; fi

nlds:  ## install the NL Design System CSS from frontend/package-lock.json when missing or out of date
	@if [ -f $(NLDS_CSS) ] && [ $(NLDS_CSS) -nt $(NLDS_DIR)/package-lock.json ] && [ $(NLDS_CSS) -nt $(NLDS_DIR)/build.mjs ]; then exit 0; fi; \
	if command -v npm >/dev/null && (cd $(NLDS_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
		&& node $(NLDS_DIR)/build.mjs; then :; \
	elif [ "$$CI" = "true" ]; then echo "The NL Design System CSS could not be installed with npm and CI=true: failing"; exit 1; \
	else echo "WITHOUT the NL Design System CSS: npm could not install it (needs node and npm; see docs/decisions/0036). Pages fall back to Balie's own styles."; fi

clean:
	rm -rf var .pytest_cache .ruff_cache $(AXE_DIR)/node_modules $(NLDS_DIR)/node_modules $(NLDS_CSS)
