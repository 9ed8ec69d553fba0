"""Registering a resolved conversation in Open Klant's Klantinteracties API, against a local
fake that checks every call (path, method, token, body) and its own answers against Open
Klant's published contract."""

from __future__ import annotations

import datetime
import socket

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from balie.archive.models import ArchiveEvent
from balie.conversations import actions
from balie.conversations.models import Conversation, Message
from balie.integrations.klantinteracties import outbox, registering, tasks
from balie.integrations.klantinteracties.connection import do_configure_connection
from balie.integrations.klantinteracties.content import METADATA_KEY
from balie.integrations.klantinteracties.models import Registration, RegistrationState
from balie.integrations.klantinteracties.selectors import registration_status
from tests.factories import send
from tests.integrations.klantinteracties.conftest import TASK, TOKEN, identify, reply

pytestmark = pytest.mark.django_db


def _only(collection: dict) -> dict:
    (item,) = collection.values()
    return item


def test_a_resolved_conversation_is_registered(chat, connected, openklant, resolve, run_queued,
                                               agent_anna, settings):  # fmt: skip
    settings.LANGUAGE_CODE = "en"  # what Open Klant is told is in the installation's language
    resolve(chat)
    registration = Registration.objects.get(conversation=chat)
    assert registration.state == RegistrationState.QUEUED and registration.round == 1

    assert run_queued() == ["registered"]

    klantcontact = _only(openklant.klantcontacten)
    first = Message.objects.filter(conversation=chat).order_by("seq").first()
    assert klantcontact["kanaal"] == "chat"
    assert klantcontact["onderwerp"] == "Container niet geleegd"
    assert klantcontact["taal"] == "nld" and klantcontact["vertrouwelijk"] is True
    assert klantcontact["indicatieContactGelukt"] is True
    assert klantcontact["plaatsgevondenOp"] == first.created_at.astimezone(
        datetime.UTC
    ).isoformat().replace("+00:00", "Z")
    assert klantcontact["metadata"] == {
        "balie_gesprek": str(chat.pk),
        METADATA_KEY: str(registration.key),
    }
    inhoud = klantcontact["inhoud"]
    assert len(inhoud) <= 1000
    assert inhoud.startswith(
        f"Conversation {chat.pk} in Balie via Web chat: 3 messages (2 from the resident, "
        "1 from the organisation), from "
    )
    assert "Team: Algemeen." in inhoud and "the transcript is in Balie" in inhoud
    # No message text, no note, no contact details in the summary.
    for text in ("container", "BSN", "111222333", "morgen", "Route 7", "Fatima", "example.nl"):
        assert text.lower() not in inhoud.lower()

    betrokkene = _only(openklant.betrokkenen)
    assert betrokkene["rol"] == "klant" and betrokkene["initiator"] is True
    assert betrokkene["contactnaam"] == {"voornaam": "Fatima", "achternaam": "el Amrani"}
    assert betrokkene["hadKlantcontact"]["uuid"] == klantcontact["uuid"]
    assert "wasPartij" not in betrokkene  # no partij: Balie knows no verified identity
    adressen = {a["soortDigitaalAdres"]: a["adres"] for a in openklant.digitale_adressen.values()}
    assert adressen == {"email": "fatima@example.nl", "telefoonnummer": "0612345678"}
    onderwerpobject = _only(openklant.onderwerpobjecten)
    assert onderwerpobject["onderwerpobjectidentificator"] == {
        "codeRegister": "balie", "codeObjecttype": "gesprek", "codeSoortObjectId": "id",
        "objectId": str(chat.pk),
    }  # fmt: skip
    bijlage = _only(openklant.bijlagen)
    assert bijlage["wasBijlageVanKlantcontact"]["uuid"] == klantcontact["uuid"]
    assert bijlage["bijlageidentificator"] == {
        "codeRegister": "balie", "codeObjecttype": "gespreksverslag", "codeSoortObjectId": "url",
        "objectId": f"http://127.0.0.1:8000/console/utrecht/?open={chat.pk}",
    }  # fmt: skip
    # Nothing anywhere carries a message's text.
    sent = repr(openklant.bodies)
    for text in ("container", "111222333", "morgen", "Route 7", "Dank u"):
        assert text.lower() not in sent.replace("Container niet geleegd", "").lower()

    # The addresses Open Klant gave are stored with the conversation.
    shown = registration_status(agent_anna, chat.pk)
    assert shown["state"] == "registered" and shown["attempts"] == 1 and shown["error"] == ""
    assert shown["klantcontact_url"] == klantcontact["url"]
    assert shown["betrokkene_url"] == betrokkene["url"]
    assert shown["onderwerpobject_url"] == onderwerpobject["url"]
    assert shown["bijlage_url"] == bijlage["url"]
    assert shown["digitale_adressen"] == sorted(
        a["url"] for a in openklant.digitale_adressen.values()
    )
    event = ArchiveEvent.objects.get(event_type="klantinteracties.registered")
    assert event.conversation_id == chat.pk
    assert event.payload["klantcontact"] == klantcontact["url"]
    assert openklant.authorizations == {f"Token {TOKEN}"}
    assert openklant.calls == [
        "maakKlantcontactCreate", "digitaleadressenCreate", "digitaleadressenCreate",
        "bijlagenCreate",
    ]  # fmt: skip


def test_an_anonymous_resident_is_no_betrokkene(
    utrecht, utrecht_team, connected, openklant, resolve, run_queued, agent_anna
):
    conversation, _token = actions.do_start_webchat(utrecht, language="en")
    send(conversation, "Hello, when is the library open?")
    reply(conversation, agent_anna, "From 10 to 5.")
    resolve(conversation)
    assert run_queued() == ["registered"]
    klantcontact = _only(openklant.klantcontacten)
    assert klantcontact["taal"] == "eng"
    assert klantcontact["onderwerp"]  # a neutral default without a subject
    assert openklant.betrokkenen == {} and openklant.digitale_adressen == {}
    assert len(openklant.bijlagen) == 1
    registration = Registration.objects.get(conversation=conversation)
    assert registration.betrokkene_url == "" and registration.bijlage_url


def test_contact_details_stay_home_when_switched_off(
    utrecht, admin_ada, chat, openklant, resolve, run_queued
):
    do_configure_connection(
        utrecht.pk, actor=admin_ada, url=openklant.api, token=TOKEN, confidential=False,
        send_contact_details=False, kanalen={"webchat": "Webchat gemeente"},
    )  # fmt: skip
    resolve(chat)
    assert run_queued() == ["registered"]
    klantcontact = _only(openklant.klantcontacten)
    assert klantcontact["kanaal"] == "Webchat gemeente" and klantcontact["vertrouwelijk"] is False
    assert openklant.betrokkenen == {} and openklant.digitale_adressen == {}
    assert "Fatima" not in repr(openklant.bodies)


def test_a_number_open_klant_would_refuse_is_left_out(
    chat, connected, openklant, resolve, run_queued
):
    identify(chat, name="Bo", email="", phone="0900-1234567")
    resolve(chat)
    assert run_queued() == ["registered"]
    assert _only(openklant.betrokkenen)["contactnaam"] == {"voornaam": "Bo"}
    assert openklant.digitale_adressen == {}


@pytest.mark.parametrize("mode", ["500", "drop", "down"])
def test_open_klant_down_is_tried_again_later_once(
    chat, connected, openklant, resolve, run_queued, agent_anna, mode
):
    if mode == "down":
        openklant.stop()  # connection refused
    else:
        openklant.fail("maakKlantcontactCreate", mode)
    resolve(chat)
    first = DBTaskResult.objects.get(task_path=TASK)

    assert run_queued(due_only=True) == ["queued"]  # the first attempt; the retry waits

    shown = registration_status(agent_anna, chat.pk)
    assert shown["state"] == "queued" and shown["attempts"] == 1
    assert shown["error_code"] in ("openklant_unreachable", "openklant_refused")
    assert shown["error"] and shown["next_attempt_at"] is not None
    retry = DBTaskResult.objects.get(task_path=TASK, status=TaskResultStatus.READY)
    assert retry.run_after == shown["next_attempt_at"] > first.enqueued_at
    assert (
        not ArchiveEvent.objects.filter(event_type__startswith="klantinteracties.")
        .exclude(event_type="klantinteracties.configured")
        .exists()
    )

    openklant.start() if mode == "down" else None
    assert run_queued() == ["registered"]  # retried once, registered once
    assert len(openklant.klantcontacten) == 1 and len(openklant.bijlagen) == 1
    assert openklant.calls.count("maakKlantcontactCreate") == (1 if mode == "down" else 2)
    shown = registration_status(agent_anna, chat.pk)
    assert shown["state"] == "registered" and shown["attempts"] == 2 and shown["error"] == ""
    assert ArchiveEvent.objects.filter(event_type="klantinteracties.registered").count() == 1


@pytest.mark.parametrize(
    ("operation", "occurrence"),
    [
        ("maakKlantcontactCreate", 1),  # created, but the answer never came back
        ("digitaleadressenCreate", 2),
        ("bijlagenCreate", 1),
    ],
)
def test_an_interrupted_attempt_continues_without_duplicates(
    chat, connected, openklant, resolve, run_queued, operation, occurrence
):
    openklant.fail(operation, "lost", occurrence=occurrence)
    resolve(chat)

    assert run_queued() == ["queued", "registered"]

    # Open Klant created the object the first time; the retry found it instead of
    # creating a second one (the klantcontact by its onderwerpobject and the round's key
    # in its metadata, an adres by its betrokkene, a bijlage by its klantcontact).
    assert len(openklant.klantcontacten) == 1 and len(openklant.betrokkenen) == 1
    assert len(openklant.digitale_adressen) == 2 and len(openklant.bijlagen) == 1
    assert openklant.calls.count(operation) == occurrence
    registration = Registration.objects.get(conversation=chat)
    assert registration.klantcontact_url == _only(openklant.klantcontacten)["url"]
    assert registration.bijlage_url == _only(openklant.bijlagen)["url"]
    assert set(registration.digitale_adressen.values()) == {
        a["url"] for a in openklant.digitale_adressen.values()
    }


def test_a_klantcontact_of_another_round_or_system_is_not_taken_for_ours(
    chat, connected, openklant, resolve, run_queued
):
    """Another klantcontact about the same conversation (without this round's key) is left
    alone: the lost one is recognised by its key only."""
    openklant.fail("maakKlantcontactCreate", "lost")
    resolve(chat)
    assert run_queued(due_only=True) == ["queued"]
    (lost,) = openklant.klantcontacten.values()
    lost["metadata"] = {METADATA_KEY: "someone-else"}
    assert run_queued() == ["registered"]
    assert len(openklant.klantcontacten) == 2
    assert Registration.objects.get(conversation=chat).klantcontact_url != lost["url"]


def test_open_klant_that_keeps_failing_leaves_a_visible_failure(
    chat, connected, openklant, resolve, run_queued, admin_ada, committed, monkeypatch
):
    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 3)
    openklant.fail_always("bijlagenCreate", "500")
    resolve(chat)

    assert run_queued() == ["queued", "queued", "failed"]

    shown = registration_status(admin_ada, chat.pk)
    assert shown["state"] == "failed" and shown["attempts"] == 3
    assert shown["error_status"] == 500 and shown["next_attempt_at"] is None
    assert "500" in shown["error"] and "Er is een serverfout opgetreden." in shown["error"]
    assert shown["klantcontact_url"]  # what was registered stays
    failed = ArchiveEvent.objects.get(event_type="klantinteracties.failed")
    assert failed.payload["error"] == "openklant_refused" and failed.conversation_id == chat.pk

    openklant.heal()
    committed(outbox.do_retry, admin_ada, chat.pk)
    assert ArchiveEvent.objects.filter(event_type="klantinteracties.retry_requested").count() == 1
    assert run_queued() == ["registered"]
    assert len(openklant.klantcontacten) == 1 and len(openklant.bijlagen) == 1


def test_a_refusal_is_not_tried_again(utrecht, admin_ada, chat, openklant, resolve, run_queued):
    do_configure_connection(utrecht.pk, actor=admin_ada, url=openklant.api, token="another")
    resolve(chat)
    assert run_queued() == ["failed"]
    registration = Registration.objects.get(conversation=chat)
    assert registration.attempts == 1 and registration.error_status == 401
    assert openklant.klantcontacten == {}


def test_resolving_again_registers_only_new_messages(
    chat, connected, openklant, resolve, run_queued, agent_anna, committed, settings
):
    settings.LANGUAGE_CODE = "en"
    resolve(chat)
    assert run_queued() == ["registered"]
    first = _only(openklant.klantcontacten)

    # Reopened and resolved again without a word: nothing new to register.
    committed(actions.do_change_status, chat, actor=agent_anna, status="open")
    resolve(chat)
    assert run_queued() == []
    assert len(openklant.klantcontacten) == 1

    # The resident writes again (which reopens it), is answered, and it is resolved again.
    send(chat, "Hij is nog steeds niet geleegd.")
    reply(chat, agent_anna, "Excuses, vandaag alsnog.")
    resolve(Conversation.objects.get(pk=chat.pk))
    assert run_queued() == ["registered"]
    assert len(openklant.klantcontacten) == 2
    second = next(k for k in openklant.klantcontacten.values() if k["uuid"] != first["uuid"])
    assert ": 2 messages (1 from the resident, 1 from the organisation)" in second["inhoud"]
    assert "Continued after an earlier registration" in second["inhoud"]
    registration = Registration.objects.get(conversation=chat)
    assert registration.round == 2 and registration.klantcontact_url == second["url"]
    assert registration.earlier[0]["klantcontact"] == first["url"]
    assert registration_status(agent_anna, chat.pk)["earlier"] == [
        {"round": 1, "klantcontact_url": first["url"]}
    ]


def test_resolved_again_while_on_its_way_follows_with_a_new_round(
    chat, connected, openklant, resolve, run_queued, agent_anna, committed
):
    openklant.fail("bijlagenCreate", "500")
    resolve(chat)
    assert run_queued(due_only=True) == ["queued"]  # the klantcontact exists, not the bijlage
    send(chat, "Nog een vraag.")
    resolve(Conversation.objects.get(pk=chat.pk))
    assert Registration.objects.get(conversation=chat).state == "queued"

    assert run_queued() == ["registered", "registered"]
    assert len(openklant.klantcontacten) == 2 and len(openklant.bijlagen) == 2
    assert Registration.objects.get(conversation=chat).round == 2


def test_only_organisations_with_a_connection_switched_on(
    utrecht, admin_ada, chat, groningen_webchat, agent_gerrit, openklant, resolve
):
    other, _token = groningen_webchat
    send(other, "Hallo")
    resolve(other, actor=agent_gerrit)
    resolve(chat)
    assert not Registration.objects.exists()  # Utrecht has no connection yet either

    do_configure_connection(utrecht.pk, actor=admin_ada, url=openklant.api, token=TOKEN,
                            enabled=False)  # fmt: skip
    actions.do_change_status(chat, actor=admin_ada, status="open")
    resolve(Conversation.objects.get(pk=chat.pk))
    assert not Registration.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()


def test_the_listener_costs_nothing_unless_a_conversation_is_resolved(chat, utrecht):
    events = list(ArchiveEvent.objects.filter(organisation=utrecht))
    assert events
    with CaptureQueriesContext(db) as queries:
        outbox.do_queue_registrations(events)  # no resolution among them
    assert len(queries) == 0
    resolved = ArchiveEvent(
        organisation_id=utrecht.pk, conversation_id=chat.pk,
        event_type="conversation.status_changed", payload={"from": "open", "to": "resolved"},
    )  # fmt: skip
    with CaptureQueriesContext(db) as queries:  # no connection: one query for the batch
        outbox.do_queue_registrations([*events, resolved, resolved])
    assert len(queries) == 1


def test_a_conversation_without_messages_is_not_registered(
    utrecht, utrecht_team, connected, resolve, agent_anna
):
    conversation, _token = actions.do_start_webchat(utrecht)
    resolve(conversation)
    assert not Registration.objects.exists()


def test_a_problem_of_the_listener_never_stops_the_status_change(
    chat, connected, resolve, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(outbox, "_resolved", broken)
    resolve(chat)
    assert Conversation.objects.get(pk=chat.pk).status == "resolved"
    assert not Registration.objects.exists()


def test_a_destroyed_conversation_is_not_sent(chat, connected, openklant, resolve, run_queued):
    resolve(chat)
    Conversation.objects.filter(pk=chat.pk).update(destroyed_at=datetime.datetime.now(datetime.UTC))
    assert run_queued() == ["failed"]
    assert Registration.objects.get(conversation=chat).error_code == "conversation_destroyed"
    assert openklant.calls == []


def test_a_registration_left_behind_is_sent_again(
    chat, connected, openklant, resolve, run_queued, admin_ada, committed
):
    resolve(chat)
    DBTaskResult.objects.filter(task_path=TASK).delete()  # lost after the commit
    assert committed(tasks.enqueue_waiting.call) == 0  # not yet: it may still be on its way
    stale = datetime.datetime.now(datetime.UTC) - tasks.STALE_AFTER - datetime.timedelta(minutes=1)
    Registration.objects.update(updated_at=stale)
    assert committed(tasks.enqueue_waiting.call) == 1
    assert run_queued() == ["registered"]
    assert len(openklant.klantcontacten) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_corrected_address_is_used_when_nothing_was_registered_there(
    utrecht, admin_ada, chat, openklant, resolve, run_queued
):
    wrong = f"http://127.0.0.1:{_closed_port()}/klantinteracties/api/v1"
    do_configure_connection(utrecht.pk, actor=admin_ada, url=wrong, token=TOKEN)
    resolve(chat)
    assert run_queued(due_only=True) == ["queued"]
    assert Registration.objects.get(conversation=chat).error_code == "openklant_unreachable"
    do_configure_connection(utrecht.pk, actor=admin_ada, url=openklant.api)
    assert run_queued() == ["registered"]
    assert len(openklant.klantcontacten) == 1
    assert Registration.objects.get(conversation=chat).remote_base == openklant.api


def test_an_address_changed_halfway_stops_the_registration(
    utrecht, admin_ada, chat, connected, openklant, resolve, run_queued
):
    openklant.fail("bijlagenCreate", "500")
    resolve(chat)
    assert run_queued(due_only=True) == ["queued"]
    elsewhere = openklant.api.replace("127.0.0.1", "localhost")
    do_configure_connection(utrecht.pk, actor=admin_ada, url=elsewhere)
    assert run_queued() == ["failed"]
    registration = Registration.objects.get(conversation=chat)
    assert registration.error_code == "target_changed" and registration.klantcontact_url
    assert openklant.bijlagen == {}


def test_a_resolution_heard_during_an_attempt_is_not_lost(
    chat, connected, openklant, resolve, run_queued, monkeypatch
):
    resolve(chat)
    original, heard = registering._bijlage, []

    def meanwhile(api, registration, klantcontact):
        if not heard:  # the resident writes again and the conversation is resolved again
            heard.append(send(chat, "Nog iets."))
            resolve(Conversation.objects.get(pk=chat.pk))
        original(api, registration, klantcontact)

    monkeypatch.setattr(registering, "_bijlage", meanwhile)
    assert run_queued() == ["registered", "registered"]
    registration = Registration.objects.get(conversation=chat)
    assert registration.round == 2 and registration.covered_seq == heard[0].seq
    assert len(openklant.klantcontacten) == 2


def test_a_crash_between_the_answer_and_storing_it_makes_no_duplicate(
    chat, connected, openklant, resolve, run_queued, monkeypatch
):
    """Open Klant answered, but the worker stopped before it stored the address: the next
    attempt finds the klantcontact by its onderwerpobject and the key in its metadata."""
    original, crashed = registering.do_note_klantcontact, []

    def crash_once(*args):
        if not crashed:
            crashed.append(True)
            raise RuntimeError("the worker stopped")
        original(*args)

    monkeypatch.setattr(registering, "do_note_klantcontact", crash_once)
    resolve(chat)
    assert run_queued(due_only=True) == ["queued"]
    assert Registration.objects.get(conversation=chat).klantcontact_url == ""
    assert run_queued() == ["registered"]
    assert len(openklant.klantcontacten) == 1 and len(openklant.betrokkenen) == 1
    assert openklant.calls[:3] == [
        "maakKlantcontactCreate", "onderwerpobjectenList", "klantcontactenRetrieve"
    ]  # fmt: skip
