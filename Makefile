# Crossings — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export CROSSINGS_VAR_DIR ?= $(CURDIR)/var
# Tests also run on PostgreSQL when this database answers (.ci/run creates it); otherwise that run is skipped.
CROSSINGS_TEST_PG_URL ?= postgres://crossings:crossings@127.0.0.1:5432/crossings
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test venv lint types unit pg messages clean-venv bench odk-engine vendor-web-forms label-font

$(BIN)/crossings: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(BIN)/crossings

venv: $(BIN)/crossings

demo: venv
	CROSSINGS_MODE=demo $(BIN)/crossings migrate --no-input -v0
	CROSSINGS_MODE=demo $(BIN)/crossings demo load
	CROSSINGS_MODE=demo $(BIN)/crossings collectstatic --no-input -v0
	@echo "Serving Crossings on http://$(HOST):$(PORT)/ with a background-task worker (Ctrl-C stops both)"
	CROSSINGS_MODE=demo $(BIN)/crossings db_worker --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	CROSSINGS_MODE=demo $(BIN)/gunicorn crossings.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 \
		--access-logfile - --access-logformat '%(t)s "%(m)s %(U)s" %(s)s %(L)ss'

lint: venv
	$(BIN)/ruff check crossings tests bench tools
	$(BIN)/ruff format --check crossings tests bench tools

types: venv
	CROSSINGS_MODE=test $(BIN)/mypy crossings

# ODK's own form engine (@getodk/xforms-engine from the npm registry, pinned by its lock file), bundled for
# the browser test that judges our XForms with it. Not served by the product. Without npm the test skips.
ODK_ENGINE := build/odk-engine.js
$(ODK_ENGINE): tests/odk_engine/package.json tests/odk_engine/package-lock.json tests/odk_engine/entry.js
	@if command -v npm >/dev/null; then \
		cd tests/odk_engine && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && cd ../.. && \
		tests/odk_engine/node_modules/.bin/esbuild tests/odk_engine/entry.js --bundle --format=esm \
			--target=es2022 --log-level=warning --outfile=$@; \
	else echo "no npm: $@ not built, the ODK engine test will skip"; fi

odk-engine: $(ODK_ENGINE)

# ODK Web Forms and Vue, served by /outreach/encounters/odk/: copied unchanged from the npm registry into
# crossings/static/vendor/ (committed, with their licences). Change the versions here, then run this.
WEB_FORMS_VERSION := 0.22.0
VUE_VERSION := 3.5.46
vendor-web-forms:
	rm -rf build/web-forms && mkdir -p build/web-forms
	cd build/web-forms && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts \
		--loglevel=error @getodk/web-forms@$(WEB_FORMS_VERSION) vue@$(VUE_VERSION)
	rm -rf crossings/static/vendor/odk-web-forms-*/*.js
	mkdir -p crossings/static/vendor/odk-web-forms-$(WEB_FORMS_VERSION)
	cp build/web-forms/node_modules/@getodk/web-forms/dist/*.js crossings/static/vendor/odk-web-forms-$(WEB_FORMS_VERSION)/
	cp build/web-forms/node_modules/vue/dist/vue.runtime.esm-browser.prod.js \
		crossings/static/vendor/vue-$(VUE_VERSION).runtime.esm-browser.prod.js
	cp build/web-forms/node_modules/vue/LICENSE crossings/static/vendor/vue-LICENSE.txt

unit: venv odk-engine
	CROSSINGS_MODE=test $(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

pg: venv odk-engine
	@if CROSSINGS_MODE=test $(BIN)/python -m tests.pg_probe "$(CROSSINGS_TEST_PG_URL)"; then \
		CROSSINGS_MODE=test DATABASE_URL="$(CROSSINGS_TEST_PG_URL)" $(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS); \
	else echo "SKIPPED the PostgreSQL run: no PostgreSQL answers at $(CROSSINGS_TEST_PG_URL) (.ci/run starts one)"; fi

test: lint types unit pg

messages: venv
	cd crossings && CROSSINGS_MODE=test ../$(BIN)/crossings makemessages -l km --no-obsolete --no-location
	cd crossings && CROSSINGS_MODE=test ../$(BIN)/crossings compilemessages -l km

# The 2 KB font of the language switcher's Khmer label on English pages, cut from the bundled Noto Sans Khmer
# (tools/khmer_label_font.py); committed, so run it only when that label changes.
label-font: venv
	$(BIN)/python -m tools.khmer_label_font

bench: venv
	CROSSINGS_MODE=test $(BIN)/python bench/people.py

clean-venv:
	rm -rf $(VENV)
