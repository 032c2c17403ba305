# ptce — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The address in the links of the demo's emails: follows HOST and PORT (make demo PORT=8105).
SITE_URL ?= http://$(HOST):$(PORT)
# The tests run on every core (pytest-xdist); PYTEST_ARGS="-n 0 …" runs them in one process.
PYTEST_ARGS ?= -n auto

.PHONY: demo test install check-python lint messages check-messages bench serve clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "ptce needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 | head -n 1)."; \
	  echo "Install Python 3.11+ and run: make demo PYTHON=python3.11"; exit 1; }

$(BIN)/.installed: requirements/dev.lock pyproject.toml | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.lock
	@touch $@

# JavaScript libraries served as static files (the QR decoder of the door).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "ptce needs Node.js and npm for its JavaScript libraries (Debian: apt-get install nodejs npm)."; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

install: check-python $(BIN)/.installed node_modules/.package-lock.json

demo: install
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py migrate --noinput
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py load_demo
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py load_registry_demo
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py load_charter_demo
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py load_calls_demo
	@echo "ptce demo on $(SITE_URL)/ — organiser sign-in: organisatrice / demo-ptce-2014"
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/check_messages.py
	$(BIN)/lint-imports --no-cache
	node --test checkin/tests/js/*.test.mjs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract the strings to translate (English msgids), copy them into the English
# catalogue, then translate the new entries of locale/fr/LC_MESSAGES/django.po and run
# `make messages` again to compile. Needs Debian's gettext.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l fr -l en --no-location --ignore=.venv --ignore=var --ignore=bench --ignore=node_modules
	DEBUG=1 $(BIN)/python manage.py makemessages -d djangojs -l fr -l en --no-location --ignore=.venv --ignore=var --ignore=bench --ignore=node_modules
	for d in django djangojs; do \
	  msgfilter --keep-header -i locale/en/LC_MESSAGES/$$d.po sed -e d | msgen - | msgattrib --clear-fuzzy --no-obsolete -o locale/en/LC_MESSAGES/$$d.po; \
	  msgattrib --no-obsolete -o locale/fr/LC_MESSAGES/$$d.po locale/fr/LC_MESSAGES/$$d.po; \
	done
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules var/*.sqlite3* var/mail var/static
