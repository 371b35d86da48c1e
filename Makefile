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

.PHONY: demo test install lint check-migrations check-translations messages pytest run clean audit backup restore

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

# Backups (docs/operations.md): the database and MEDIA_ROOT into $(BACKUP_DIR)/<timestamp>/;
# `make restore FROM=var/backups/<timestamp>` puts one back (asks first; NOINPUT=1 does not).
backup: install
	$(PY) manage.py backup $(if $(BACKUP_DIR),--dir "$(BACKUP_DIR)")

restore: install
	@test -n "$(FROM)" || { echo "Usage: make restore FROM=var/backups/<timestamp>"; exit 2; }
	$(PY) manage.py restore "$(FROM)" $(if $(NOINPUT),--noinput)

# Known vulnerabilities in the pinned dependencies (PyPI advisory database via pip-audit, in its own
# virtualenv). Needs network access to pypi.org; --strict fails when a package could not be checked,
# so an offline run never reports a false "clean". Not part of `make test` (see docs/security.md).
AUDIT_VENV ?= .venv-audit
audit: install
	test -x $(AUDIT_VENV)/bin/pip-audit || ($(PYTHON) -m venv $(AUDIT_VENV) && $(AUDIT_VENV)/bin/pip install --quiet pip-audit==2.10.1)
	$(PY) -m pip freeze --exclude-editable > $(AUDIT_VENV)/requirements.txt
	$(AUDIT_VENV)/bin/pip-audit --strict --no-deps --disable-pip -r $(AUDIT_VENV)/requirements.txt

clean:
	rm -rf $(VENV) $(AUDIT_VENV) var staticfiles .pytest_cache .ruff_cache
