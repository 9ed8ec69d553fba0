"""``/healthz`` answers while the process lives; ``/readyz`` only while the database, Redis
(when used) and the file storage answer and the process is not draining, within ~2 s even
when one of them hangs. Neither needs a session or an organisation, nor says more than a
check's status and its error's type."""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest
import redis
from django.core.files.storage import FileSystemStorage
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.test import override_settings

from balie.conf import lifecycle
from balie.web import health

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"balie-test-{uuid.uuid4().hex[:8]}",
        }
    }


def _redis_layer(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "balie.realtime.layers.RedisFanoutLayer",
            "CONFIG": {"url": url, "prefix": f"balie-test-{uuid.uuid4().hex[:8]}"},
        }
    }


class BrokenStorage(FileSystemStorage):
    def exists(self, name):
        raise PermissionError("/srv/balie/files: permission denied")


HUNG = threading.Event()


class HungStorage(FileSystemStorage):
    """A storage that stops answering (an S3 endpoint behind a dead network path)."""

    def exists(self, name):
        HUNG.wait(10)
        return False


def _storage(settings, backend: type) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.{backend.__name__}"},
    }


@pytest.fixture(autouse=True)
def _checks_run_again():
    """A check's answer is reused for a second; each test breaks or mends its own."""
    health.forget()


# --- /healthz -------------------------------------------------------------------------------
def test_healthz_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response


def test_healthz_answers_while_the_database_is_down(client, db, monkeypatch):
    monkeypatch.setattr(type(connections[DEFAULT_DB_ALIAS]), "cursor", _refuse)
    response = client.get("/healthz")
    monkeypatch.undo()
    assert response.status_code == 200


def test_healthz_needs_an_allowed_host(client, db):
    assert client.get("/healthz", HTTP_HOST="evil.example").status_code == 400


def _refuse(*args, **kwargs):
    raise OperationalError("connection refused")


# --- /readyz --------------------------------------------------------------------------------
def test_readyz_reports_each_check_with_its_time(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "redis": "not used",  # the in-memory cache and channel layer of one process
        "storage": "ok",
        "process": "ok",
    }
    assert all(isinstance(check["ms"], float) for check in body["checks"].values())
    assert response["Cache-Control"] == "no-store"


def test_readyz_needs_no_session_csrf_or_organisation(client, db):
    """A load balancer's probe: no cookie comes back, no organisation is looked up."""
    response = client.head("/readyz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response
    assert client.post("/readyz").status_code == 405


def test_readyz_is_503_when_the_database_refuses_connections(client, db, monkeypatch):
    # The check opens a connection of its own (and closes it): a server that refuses new
    # connections is not ready, even while older connections still work.
    monkeypatch.setattr(type(connections[DEFAULT_DB_ALIAS]), "get_new_connection", _refuse)
    response = client.get("/readyz")
    monkeypatch.undo()  # the test database's teardown connects again
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["status"] == "error"
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert "refused" not in response.content.decode()  # the type only, never the text
    assert body["checks"]["storage"]["status"] == "ok"


def _with_redis(url: str):
    """Only around the request: the tests' own clean-up clears the cache (a FLUSHDB)."""
    return override_settings(CACHES=_redis_cache(url), CHANNEL_LAYERS=_redis_layer(url))


def test_readyz_is_503_when_redis_is_unreachable(client, db):
    with _with_redis(CLOSED_PORT_URL):
        response = client.get("/readyz")
    assert response.status_code == 503
    check = response.json()["checks"]["redis"]
    assert check == {"status": "error", "error": "ConnectionError", "ms": check["ms"]}
    assert "127.0.0.1" not in response.content.decode()


def test_readyz_is_503_when_the_storage_fails(client, db, settings):
    _storage(settings, BrokenStorage)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "error"
    assert response.json()["checks"]["storage"]["error"] == "PermissionError"
    assert "/srv/balie" not in response.content.decode()


def test_a_hung_dependency_gives_503_within_two_seconds(client, db, settings):
    HUNG.clear()
    _storage(settings, HungStorage)
    try:
        started = time.monotonic()
        first = client.get("/readyz")
        second = client.get("/readyz")  # waits for the same attempt: no second thread
        elapsed = time.monotonic() - started
        assert first.status_code == second.status_code == 503
        assert first.json()["checks"]["storage"]["status"] == "timeout"
        assert first.json()["checks"]["database"]["status"] == "ok"
        assert elapsed < 4.5  # two probes of ~1.5 s each
        assert [t.name for t in threading.enumerate()].count("readyz-storage") == 1
    finally:
        HUNG.set()
    assert client.get("/readyz").status_code == 200  # the same attempt, answered: ready


def test_a_flood_of_probes_checks_once_a_second(client, db, monkeypatch):
    calls = []
    monkeypatch.setattr(health.PROBES[0], "_check", lambda: calls.append(1) or "ok")
    for _ in range(20):
        assert client.get("/readyz").status_code == 200
    assert calls == [1]


@pytest.fixture
def draining():
    lifecycle.start_draining()
    yield
    lifecycle.reset()


def test_readyz_is_503_while_draining(client, db, draining):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "draining"
    assert response.json()["checks"]["process"]["status"] == "draining"
    assert response.json()["checks"]["database"]["status"] == "ok"
    assert client.get("/healthz").status_code == 200  # alive: let it finish, do not kill it


def test_a_failing_probe_is_logged_when_readiness_changes_not_per_request(
    client, db, settings, caplog
):
    client.get("/readyz")
    _storage(settings, BrokenStorage)
    for _ in range(3):
        health.forget()
        assert client.get("/readyz").status_code == 503
    messages = [record.getMessage() for record in caplog.records]
    assert messages.count("not ready") == 1
    assert not [m for m in messages if "Service Unavailable" in m]  # django.request's line


# --- with the real Redis --------------------------------------------------------------------
@pytest.fixture
def real_redis():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"Redis at {REDIS_URL} is not reachable and CI=true") from None
        pytest.skip(f"Redis at {REDIS_URL} not reachable")
    return REDIS_URL


def test_readyz_reports_redis_ok(client, db, real_redis):
    with _with_redis(real_redis):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"]["status"] == "ok"
