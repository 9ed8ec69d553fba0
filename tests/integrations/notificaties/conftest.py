"""The Notificaties API's tests: Utrecht's and Groningen's administrators, a local fake
Notificaties API (``fake_nrc``), Utrecht connected to it, and a worker's loop."""

from __future__ import annotations

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.integrations.notificaties import client, tasks
from balie.integrations.notificaties.connection import do_configure_connection, do_register_kanaal
from tests.conftest import PASSWORD
from tests.integrations.notificaties.fake_nrc import FakeNotificatiesApi

CLIENT_ID = "balie-utrecht"
SECRET = "nrc-secret-9Kq4-never-shown"
TASK = "balie.integrations.notificaties.tasks.send_notifications"
PUBLIC_URL = "https://balie.example.nl"


def _person(username, organisation, role, first_name):
    person = do_create_staff_user(username=username, password=PASSWORD, first_name=first_name)
    do_set_membership(person, organisation, role)
    return person


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.PUBLIC_URL = PUBLIC_URL


@pytest.fixture
def admin_ada(utrecht):
    """Utrecht's application administrator."""
    return _person("admin_ada", utrecht, Role.ADMIN, "Ada")


@pytest.fixture
def admin_greta(groningen):
    """Groningen's application administrator."""
    return _person("admin_greta", groningen, Role.ADMIN, "Greta")


@pytest.fixture
def nrc(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setattr(client, "TIMEOUT", (2.0, 2.0))
    with FakeNotificatiesApi(CLIENT_ID, SECRET) as fake:
        yield fake
    assert fake.violations == [], "\n".join(fake.violations)


@pytest.fixture
def configured(utrecht, admin_ada, nrc):
    return do_configure_connection(
        utrecht.pk, actor=admin_ada, url=nrc.root + "/", client_id=CLIENT_ID, secret=SECRET
    )


@pytest.fixture
def connected(configured, utrecht, admin_ada):
    """Utrecht publishes to the fake: configured, its kanaal registered."""
    return do_register_kanaal(utrecht.pk, actor=admin_ada)


@pytest.fixture
def as_user():
    def make(user) -> APIClient:
        api = APIClient()
        api.force_login(user)
        return api

    return make


@pytest.fixture
def as_key():
    def make(secret: str) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return api

    return make


def run_queued() -> list[dict]:
    """What a worker does, without waiting for a retry's run_after: run every sending task
    that is ready, oldest first, until none is left; each task's outcome."""
    outcomes = []
    for _round in range(50):
        row = (
            DBTaskResult.objects.filter(task_path=TASK, status=TaskResultStatus.READY)
            .order_by("enqueued_at", "id")
            .first()
        )
        if row is None:
            return outcomes
        row.claim("test")
        result = tasks.send_notifications.call(*row.args_kwargs["args"])
        row.set_successful(result)
        outcomes.append(result)
    raise AssertionError("the sending tasks did not come to an end")
