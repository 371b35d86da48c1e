# The portal's two commands for a newcomer (see README.md):
#   make demo   install, migrate, seed demo data and serve http://127.0.0.1:8000 (SQLite, eager tasks)
#   make test   install and run the whole test suite, with lint, migration and translation checks
# CI (.ci/run) calls `make test` with DATABASE_URL and CELERY_BROKER_URL pointing at PostgreSQL and Redis.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= tdkt-demo-2026

.PHONY: demo test install lint check-migrations check-translations messages pytest run clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 PORTAL_BASE_URL=http://$(HOST):$(PORT) $(PY) manage.py seed_demo --password $(DEMO_PASSWORD)
	@echo "Portal: http://$(HOST):$(PORT)/  (Ctrl+C to stop; background tasks run in-process)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(PY) -m ruff check .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

check-translations: install
	$(PY) manage.py check_translations

# Re-extract messages from the code, then fill in locale/vi/LC_MESSAGES/django.po and compile.
messages: install
	$(PY) manage.py makemessages -l vi --add-location file --no-obsolete
	$(PY) manage.py compilemessages -l vi --ignore "$(VENV)"

pytest: install
	$(PY) -m pytest

test: lint check-migrations check-translations pytest

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
