"""Fixtures for registering resolved conversations in Open Klant: a fake Open Klant on
127.0.0.1 that checks every call against the contract, Utrecht's connection to it, the
organisations' administrators, a conversation with an identified resident, and running the
queued registration tasks as a worker would."""

from __future__ import annotations

import uuid

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.conversations import actions
from balie.conversations.models import Contact, Direction
from balie.integrations.klantinteracties import client, tasks
from balie.integrations.klantinteracties.connection import do_configure_connection
from tests.conftest import PASSWORD
from tests.e2e.conftest import asgi_server, browser_page, live_server_url  # noqa: F401 - fixtures
from tests.factories import send
from tests.integrations.klantinteracties.fake_openklant import FakeOpenKlant

TOKEN = "ok-token-9Zr4-never-shown"
TASK = "balie.integrations.klantinteracties.tasks.register_conversation"


def staff(username, organisation, role, first_name):
    person = do_create_staff_user(username=username, password=PASSWORD, first_name=first_name)
    do_set_membership(person, organisation, role)
    return person


@pytest.fixture
def admin_ada(utrecht):
    """Utrecht's application administrator."""
    return staff("admin_ada", utrecht, Role.ADMIN, "Ada")


@pytest.fixture
def admin_gijs(groningen):
    """Groningen's application administrator."""
    return staff("admin_gijs", groningen, Role.ADMIN, "Gijs")


@pytest.fixture
def openklant(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setattr(client, "TIMEOUT", (2.0, 2.0))
    with FakeOpenKlant(TOKEN) as fake:
        yield fake
    assert fake.violations == [], "\n".join(fake.violations)


@pytest.fixture
def connected(utrecht, admin_ada, openklant):
    return do_configure_connection(
        utrecht.pk, actor=admin_ada, url=openklant.api + "/", token=TOKEN
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run ``work`` as if its transaction committed: the on_commit callbacks (the tasks it
    enqueues) run too."""

    def run(work, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return work(*args, **kwargs)

    return run


@pytest.fixture
def resolve(committed, agent_anna):
    def run(conversation, actor=None):
        return committed(
            actions.do_change_status, conversation, actor=actor or agent_anna, status="resolved"
        )

    return run


@pytest.fixture
def run_queued(committed):
    """What a worker does: run every registration task that is ready, oldest first, until
    none is left; the states they returned. A retry's run_after is not waited for, unless
    ``due_only``: then a task waiting for a later time stays in the queue."""

    def run(*, due_only: bool = False) -> list[str]:
        states = []
        for _round in range(30):
            waiting = DBTaskResult.objects.filter(task_path=TASK)
            ready = waiting.ready() if due_only else waiting.filter(status=TaskResultStatus.READY)
            row = ready.order_by("enqueued_at").first()
            if row is None:
                return states
            row.claim("test")
            result = committed(tasks.register_conversation.call, *row.args_kwargs["args"])
            row.set_successful(result)
            states.append(result)
        raise AssertionError("the registration tasks did not come to an end")

    return run


def identify(conversation, *, name="Fatima el Amrani", email="fatima@example.nl",
             phone="06 1234 5678"):  # fmt: skip
    """The resident made herself known (as a connector or an agent would record it)."""
    Contact.objects.filter(pk=conversation.contact_id).update(name=name, email=email, phone=phone)
    conversation.refresh_from_db()
    return conversation


def reply(conversation, agent, body):
    return actions.do_send_message(
        conversation, direction=Direction.OUTBOUND, body=body, client_id=uuid.uuid4().hex,
        author=agent,
    ).message  # fmt: skip


@pytest.fixture
def chat(utrecht, utrecht_team, agent_anna):
    """A Utrecht web chat with an identified resident: two messages from her, one answer,
    one internal note."""
    conversation, _token = actions.do_start_webchat(utrecht)
    identify(conversation)
    send(conversation, "Mijn container is niet geleegd, BSN 111222333.")
    reply(conversation, agent_anna, "Dat spijt me, we komen morgen langs.")
    send(conversation, "Dank u wel!")
    actions.do_send_message(
        conversation, direction=Direction.NOTE, body="Route 7 gemist", client_id="note-1",
        author=agent_anna,
    )  # fmt: skip
    actions.do_update_details(conversation, actor=agent_anna, subject="Container niet geleegd")
    conversation.refresh_from_db()
    return conversation
