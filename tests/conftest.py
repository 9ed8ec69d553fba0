"""Named fixture tenants and users, shared by every test area.

Two municipalities: ``utrecht`` and ``groningen``. People are named after their role
(``agent_anna``, ``lead_lotte``, ``woo_wim``, ``auditor_aziz`` in Utrecht; ``agent_gerrit``
in Groningen). All are created through the action functions.
"""

from __future__ import annotations

import pytest

from balie.accounts.actions import do_create_api_key, do_create_staff_user, do_set_membership
from balie.accounts.models import ApiScope, Role
from balie.conversations import actions, limits
from balie.tenants.actions import do_create_organisation
from tests.fakes.s3 import s3_server, s3_storage  # noqa: F401 - fixtures for every area

PASSWORD = "correct-horse-battery"  # noqa: S105


def pytest_configure(config):
    """The SQLite test database lives in BALIE_DATA_DIR, which a fresh clone lacks."""
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Argon2 costs ~50 ms per password by design; the suite creates thousands of staff
    # users. Production's hasher is checked in tests/accounts/test_passwords.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The group commits close their connection when their queue runs empty, not seconds
    # later: each test's event loop ends with the test (balie.realtime.batching).
    from balie.realtime import batching

    batching.IDLE_CLOSE_SECONDS = 0
    # Two-step login is on in production (BALIE_TWO_FACTOR_ENFORCED defaults to true;
    # tests/accounts/test_twofactor.py checks that default). The suite's many tests that log
    # in an administrator or auditor are about other things; the tests of two-step login
    # itself switch it on with the ``two_factor_enforced`` fixture.
    settings.TWO_FACTOR_ENFORCED = False


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Uploaded files go to a per-test directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    settings.IMPORT_STAGING_DIR = str(tmp_path / "imports-staging")
    return tmp_path / "files"


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )


@pytest.fixture(autouse=True)
def _archive_flush_permit(request):
    """A transactional test ends with a flush of every table, which the archive's triggers
    refuse (no permit covers it: a permit works only for a destruction list being carried
    out). Empty the archive's guarded tables with their triggers dropped and recreated in
    one transaction, as only the database's owner can; the flush then finds them empty
    (PostgreSQL's TRUNCATE of an empty guarded table is allowed)."""
    if not _transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")  # so this teardown runs before the flush
    yield
    from django.db import connection, transaction

    from balie.archive.triggers import guards

    create, drop = guards(connection.vendor)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)
        for table in ("archiveevent", "auditentry", "chainhead", "audithead"):
            cursor.execute(f"DELETE FROM archive_{table}")  # noqa: S608 - fixed names
        for statement in create:
            cursor.execute(statement)


@pytest.fixture(autouse=True)
def _default_language():
    """A request with Accept-Language activates its language in this thread; the next test
    starts in Dutch again, as a fresh process would."""
    from django.utils import translation

    yield
    translation.activate("nl")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and other cached state never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    limits.reset()
    yield
    cache.clear()
    limits.reset()


@pytest.fixture(autouse=True)
def _outbound_senders():
    """A test that registers (or removes) a channel's sender leaves the connectors' own in
    place for the next test."""
    from balie.conversations.tasks import OUTBOUND_SENDERS

    before = dict(OUTBOUND_SENDERS)
    yield
    OUTBOUND_SENDERS.clear()
    OUTBOUND_SENDERS.update(before)


@pytest.fixture
def two_factor_enforced(settings):
    """Two-step login enforced, as in production (see pytest_configure)."""
    settings.TWO_FACTOR_ENFORCED = True


def _staff(username, organisation, role, first_name):
    user = do_create_staff_user(username=username, password=PASSWORD, first_name=first_name)
    do_set_membership(user, organisation, role)
    return user


@pytest.fixture
def utrecht(db):
    return do_create_organisation(name="Gemeente Utrecht", slug="utrecht", gemeentecode="0344")


@pytest.fixture
def groningen(db):
    return do_create_organisation(name="Gemeente Groningen", slug="groningen", gemeentecode="0014")


@pytest.fixture
def agent_anna(utrecht):
    return _staff("agent_anna", utrecht, Role.AGENT, "Anna")


@pytest.fixture
def agent_bram(utrecht):
    """An agent of Utrecht who is in no team."""
    return _staff("agent_bram", utrecht, Role.AGENT, "Bram")


@pytest.fixture
def lead_lotte(utrecht):
    return _staff("lead_lotte", utrecht, Role.SUPERVISOR, "Lotte")


@pytest.fixture
def woo_wim(utrecht):
    return _staff("woo_wim", utrecht, Role.WOO_OFFICER, "Wim")


@pytest.fixture
def woo_wanda(utrecht):
    """A second Woo coordinator of Utrecht (two people reviewing one request)."""
    return _staff("woo_wanda", utrecht, Role.WOO_OFFICER, "Wanda")


@pytest.fixture
def groningen_woo(groningen):
    return _staff("groningen_woo", groningen, Role.WOO_OFFICER, "Greet")


@pytest.fixture
def auditor_aziz(utrecht):
    return _staff("auditor_aziz", utrecht, Role.AUDITOR, "Aziz")


@pytest.fixture
def agent_gerrit(groningen):
    return _staff("agent_gerrit", groningen, Role.AGENT, "Gerrit")


@pytest.fixture
def utrecht_team(utrecht, agent_anna, lead_lotte):
    return actions.do_create_team(
        utrecht, name="Algemeen", members=[agent_anna, lead_lotte], is_default=True
    )


@pytest.fixture
def groningen_team(groningen, agent_gerrit):
    return actions.do_create_team(
        groningen, name="Algemeen", members=[agent_gerrit], is_default=True
    )


@pytest.fixture
def webchat(utrecht, utrecht_team):
    """A Utrecht web chat: (conversation, resident device token)."""
    return actions.do_start_webchat(utrecht)


@pytest.fixture
def groningen_webchat(groningen, groningen_team):
    return actions.do_start_webchat(groningen)


@pytest.fixture
def utrecht_api_key(utrecht):
    """(ApiKey, full secret) with every scope."""
    return do_create_api_key(utrecht, name="test", scopes=list(ApiScope.values))


@pytest.fixture
def groningen_api_key(groningen):
    return do_create_api_key(groningen, name="test", scopes=list(ApiScope.values))


@pytest.fixture
def records_rik(utrecht):
    """Utrecht's records manager (informatiebeheerder)."""
    return _staff("records_rik", utrecht, Role.RECORDS_MANAGER, "Rik")


@pytest.fixture
def records_roos(utrecht):
    """A second records manager of Utrecht: the other pair of eyes for destruction lists."""
    return _staff("records_roos", utrecht, Role.RECORDS_MANAGER, "Roos")


@pytest.fixture
def admin_ada(utrecht):
    """Utrecht's application administrator."""
    return _staff("admin_ada", utrecht, Role.ADMIN, "Ada")


@pytest.fixture
def records_gea(groningen):
    return _staff("records_gea", groningen, Role.RECORDS_MANAGER, "Gea")
