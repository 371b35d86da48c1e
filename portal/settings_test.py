"""Test settings: the real settings, with fast password hashing and plain-HTTP test clients.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so CI runs this on
PostgreSQL and Redis and a newcomer on SQLite with eager tasks.
"""

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests never serve collected static files (runserver and live_server use the finders).
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]  # noqa: F405
# A Celery worker started by the tests works on the test database, not the development one.
if os.environ.get("PORTAL_TEST_DATABASE_NAME"):  # noqa: F405
    DATABASES["default"]["NAME"] = os.environ["PORTAL_TEST_DATABASE_NAME"]  # noqa: F405
# Tasks run in-process unless a test asks for the real worker (fixture `celery_worker`).
CELERY_TASK_ALWAYS_EAGER = True
