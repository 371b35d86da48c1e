# Sourced by bench/load_run.sh and bench/fault_pg_restart.sh: the stack they start (gunicorn, a
# Celery worker, Redis as broker and shared cache, the seed_scale database), from the environment.
# The caller sets PORT's default before sourcing.
PY=${PY:-.venv/bin/python}
DB=${DB:-portal_h10}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
REDIS=${REDIS:-redis://127.0.0.1:6379/5}
CACHE=${CACHE:-redis://127.0.0.1:6379/6}
WORKERS=${WORKERS:-4}
OUT=${OUT:-var/load}
PASSWORD=${PASSWORD:-scale-2026}
mkdir -p "$OUT"

export DATABASE_URL="$PGURL/$DB" CELERY_BROKER_URL="$REDIS" CACHE_URL="$CACHE" DJANGO_SETTINGS_MODULE=portal.settings
# The production settings, minus HTTPS (plain HTTP on loopback) and the static manifest (nothing collected).
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_MANIFEST_STATIC=0 DJANGO_HSTS_SECONDS=0
export DJANGO_LOG_LEVEL=WARNING DJANGO_MEDIA_ROOT="$OUT/media"
# Every locust user logs in from 127.0.0.1: a run must never trip the login throttle.
export PORTAL_LOGIN_FAILURE_LIMIT=100000
