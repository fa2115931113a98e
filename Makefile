# plantops: `make demo` to try it, `make test` to check it. Both set everything up.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
VENDOR := web/static/vendor
ASSETS := $(VENDOR)/htmx.min.js $(VENDOR)/chart.umd.js $(VENDOR)/pico.min.css

.PHONY: install demo test lint typecheck pytest bench clean

install: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "plantops needs Python 3.11")'
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to fetch the front-end assets (htmx, Chart.js, Pico)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/chart.js/dist/chart.umd.js \
	   node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/

demo: install
	$(BIN)/plantops demo

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy core web plugins migrations bench tests

pytest: install
	$(BIN)/pytest -q $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
