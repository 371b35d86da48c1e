"""The shared cache (portal/cache.py): one Redis cache for every web process, and a Redis that cannot
be reached is an empty cache, never an error page."""

import logging
import urllib.parse

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from commendations import council
from commendations.histories import cluster_results
from portal.cache import ResilientRedisCache
from tests.conftest import need_service
from tests.emulation.test_results import publish, results_campaign  # noqa: F401  (fixture)

YEAR = 2026
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused at once


def redis_cache_settings(location: str) -> dict:
    return {"default": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": location, "KEY_PREFIX": "portal",
                        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}


def make_cache(location: str) -> ResilientRedisCache:
    """A cache object as one web process builds it from the settings."""
    params = redis_cache_settings(location)["default"]
    return ResilientRedisCache(location, {"KEY_PREFIX": params["KEY_PREFIX"], "OPTIONS": params["OPTIONS"]})


@pytest.fixture
def redis_url():
    """A Redis database of its own (db 11 of the broker's server), emptied before and after."""
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        need_service("no Redis configured (CELERY_BROKER_URL): the shared cache needs one")
    parts = urllib.parse.urlsplit(broker)
    url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/11", "", ""))
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as error:
        need_service(f"Redis at {url} unreachable: {error}")
    yield url
    client.flushdb()


def test_the_settings_use_the_shared_cache_only_when_configured():
    assert settings.CACHE_URL == "" and settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def test_two_processes_read_what_the_other_wrote_and_count_together(redis_url):
    first, second = make_cache(redis_url), make_cache(redis_url)
    first.set("leads:2026", {7: True, 8: False}, 60)
    assert second.get("leads:2026") == {7: True, 8: False}
    # a counter kept by both (the public comment limit) is one counter
    assert first.add("comments:1.2.3.4", 0, 3600) is True
    assert second.add("comments:1.2.3.4", 0, 3600) is False
    first.incr("comments:1.2.3.4")
    second.incr("comments:1.2.3.4")
    assert first.get("comments:1.2.3.4") == 2
    with pytest.raises(ValueError):
        second.incr("never-set")


@pytest.fixture(autouse=True)
def _redis_never_marked_down():
    ResilientRedisCache._down_until.clear()
    ResilientRedisCache._last_warning.clear()
    yield
    ResilientRedisCache._down_until.clear()
    ResilientRedisCache._last_warning.clear()


def test_an_unreachable_redis_is_an_empty_cache_with_one_warning(caplog):
    down = make_cache(UNREACHABLE)
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert down.get("x", "default") == "default"
        down.set("x", 1, 60)
        assert down.get("x") is None
        assert down.add("x", 0, 60) is False
        assert down.incr("x") == 1
        assert down.get_many(["x", "y"]) == {}
        assert down.has_key("x") is False
        assert down.delete("x") is False
        down.delete_many(["x"])
        assert down.clear() is False
    warnings = [r for r in caplog.records if r.name == "portal.cache"]
    assert len(warnings) == 1 and "Cache unavailable (get)" in warnings[0].getMessage()


def test_the_clusters_leaders_are_shared_between_processes(db, org, redis_url, results_campaign):  # noqa: F811
    publish(results_campaign)
    with override_settings(CACHES=redis_cache_settings(redis_url)):
        cache.clear()
        first = cluster_results(YEAR)
        # what this process computed is in Redis for the others
        keys = redis.Redis.from_url(redis_url).keys("portal:*cluster_leads*")
        assert len(keys) == 1
        other = make_cache(redis_url)
        cached = other.get(keys[0].decode().split(":", 2)[2])
        assert cached == {unit: lead for unit, (lead, _elected) in first.items()}
        assert cached[org.other.pk] is True


def test_pages_and_the_comment_limit_work_with_the_cache_down(db, org, users, client, results_campaign):  # noqa: F811
    publish(results_campaign)
    expected = cluster_results(YEAR)
    with override_settings(CACHES=redis_cache_settings(UNREACHABLE)):
        assert cluster_results(YEAR) == expected  # computed again, not cached, not failing
        client.force_login(users.officer)
        response = client.get(reverse("commendations:elections"))
        assert response.status_code == 200
        # the public comment limit: nothing counted, so nobody is refused
        assert council.comment_rate_exceeded("203.0.113.9") is False


def test_after_a_failure_redis_is_left_alone_for_a_while_then_tried_again(monkeypatch):
    """A Redis that hangs costs one timeout, not one per call: after a failure the cache answers
    as empty at once until DOWN_SECONDS have passed."""
    from django.core.cache.backends.redis import RedisCache

    from portal import cache as module

    calls = []

    def hanging_get(self, key, default=None, version=None):
        calls.append(key)
        raise redis.exceptions.TimeoutError("Timeout reading from socket")

    monkeypatch.setattr(RedisCache, "get", hanging_get)
    clock = [1000.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: clock[0])
    hanging = make_cache("redis://192.0.2.1:6379/0")
    assert hanging.get("a", "empty") == "empty"
    assert hanging.get("b", "empty") == "empty"
    assert calls == ["a"]  # the second call did not wait for Redis
    clock[0] += module.DOWN_SECONDS + 1
    assert hanging.get("c", "empty") == "empty"
    assert calls == ["a", "c"]  # tried again once the pause is over
    assert make_cache(UNREACHABLE)._down_until.get(UNREACHABLE) is None  # another Redis is not affected


def test_a_value_written_by_another_release_that_no_longer_unpickles_is_a_miss(redis_url):
    first = make_cache(redis_url)
    client = redis.Redis.from_url(redis_url)
    first.set("engine", {"ok": 1}, 60)
    (key,) = client.keys("portal:*engine")
    client.set(key, b"\x80\x04\x95garbage-not-a-pickle")
    assert first.get("engine", "miss") == "miss"
    assert client.exists(key) == 0  # dropped, so it is computed again
