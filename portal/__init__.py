"""The portal project package and its organisation app (units, people, roles, audit log)."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
