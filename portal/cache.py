"""The shared cache: Django's Redis backend, except that a cache it cannot reach is an empty cache.

Under gunicorn every worker process has its own memory, so a local-memory cache is computed once per
process and a per-hour limit (public comments) counts per process. With ``CACHE_URL`` set
(``redis://host:port/db``) the processes share one cache. The cache only ever holds what can be
recomputed: when Redis is down, reads miss, writes are dropped and counters start from nothing (so the
public comment limit lets comments through meanwhile), with a warning in the log — a page never fails
because of it (issue 7: "Redis down → pages still work").
"""

from __future__ import annotations

import logging
import pickle
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("portal.cache")

UNAVAILABLE = (redis.exceptions.RedisError, OSError)
# What unpickling a value written by another release of the code can raise.
STALE = (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError)
# After a failure, Redis is left alone for this long (per process).
DOWN_SECONDS = 30
# One warning per this many seconds while Redis is unreachable, not one per request.
WARN_EVERY_SECONDS = 60


class ResilientRedisCache(RedisCache):
    """A failed call marks Redis as down for DOWN_SECONDS (for the whole process): meanwhile every
    call answers as an empty cache at once, so a Redis that hangs (packets dropped, not refused)
    costs one timeout, not one per call. A value that no longer unpickles (written by an older
    release of the code) is a miss."""

    # per Redis location, shared by the cache objects of the process (one per thread)
    _down_until: dict[str, float] = {}
    _last_warning: dict[str, float] = {}

    def __init__(self, server, params):
        super().__init__(server, params)
        self._where = server if isinstance(server, str) else ",".join(server)

    def _unavailable(self, operation: str, error: Exception):
        now = time.monotonic()
        self._down_until[self._where] = now + DOWN_SECONDS
        if now - self._last_warning.get(self._where, -WARN_EVERY_SECONDS) >= WARN_EVERY_SECONDS:
            self._last_warning[self._where] = now
            logger.warning("Cache unavailable (%s): %s; going on without it for %s s", operation, error, DOWN_SECONDS)

    def _call(self, operation: str, default, call):
        if time.monotonic() < self._down_until.get(self._where, 0.0):
            return default
        try:
            return call()
        except UNAVAILABLE as error:
            self._unavailable(operation, error)
            return default

    def get(self, key, default=None, version=None):
        try:
            return self._call("get", default, lambda: super(ResilientRedisCache, self).get(key, default, version))
        except STALE as error:
            logger.warning("Cache value of %s unreadable (%s): dropped", key, error)
            self.delete(key, version)
            return default

    def get_many(self, keys, version=None):
        try:
            return self._call("get_many", {}, lambda: super(ResilientRedisCache, self).get_many(keys, version))
        except STALE as error:
            logger.warning("Cache values unreadable (%s): dropped", error)
            self.delete_many(keys, version)
            return {}

    def has_key(self, key, version=None):
        return self._call("has_key", False, lambda: super(ResilientRedisCache, self).has_key(key, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), lambda: super(ResilientRedisCache, self).set_many(data, timeout, version))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version))

    def incr(self, key, delta=1, version=None):
        # ValueError (the key does not exist) is the caller's, as with any backend
        return self._call("incr", delta, lambda: super(ResilientRedisCache, self).incr(key, delta, version))

    def delete(self, key, version=None):
        return self._call("delete", False, lambda: super(ResilientRedisCache, self).delete(key, version))

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, lambda: super(ResilientRedisCache, self).delete_many(keys, version))

    def clear(self):
        return self._call("clear", False, lambda: super(ResilientRedisCache, self).clear())
