"""Web Push tests: a local push service, the installation's VAPID key, and the worker's part
(running the queued push tasks). ``webchat`` is the shared fixture of tests/conftest.py."""

from __future__ import annotations

from contextlib import contextmanager
from functools import partial

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from balie.connectors.webpush import keys, tasks
from tests.fakes.webpush import FakePushService

TASK = tasks.send_push.module_path
PRIVATE_KEY = keys.generate_private_key()


@pytest.fixture
def vapid(settings) -> str:
    """The installation's VAPID key, set; returns the public key the browser subscribes with."""
    settings.VAPID_PRIVATE_KEY = PRIVATE_KEY
    settings.VAPID_SUBJECT = "mailto:beheer@utrecht.example"
    return keys.public_key()


@pytest.fixture
def push_service(settings, vapid):
    """The push service on 127.0.0.1, which the installation then allows."""
    settings.WEBPUSH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with FakePushService() as service:
        yield service
    assert service.violations == []


def queued() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path=TASK, status=TaskResultStatus.READY).order_by(
            "enqueued_at"
        )
    )


def run_pushes() -> list[dict[str, int]]:
    """What a worker does, without waiting for a deferred push's run_after."""
    outcomes = []
    for row in queued():
        row.claim("test")
        outcome = tasks.send_push.call(*row.args_kwargs["args"])
        row.set_successful(outcome)
        outcomes.append(outcome)
    return outcomes


@contextmanager
def committed(capture):
    """Run what the push listener put off until commit, as the commit would, and nothing
    else: the test's transaction is rolled back, so other layers' on-commit work (the search
    partitions it made, say) must not think it was committed."""
    with capture() as callbacks:
        yield callbacks
    for callback in callbacks:
        if isinstance(callback, partial) and callback.func == tasks.send_push.enqueue:
            callback()
