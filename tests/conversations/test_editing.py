"""Editing and deleting one's own message: shown as "bewerkt"/"verwijderd", kept in the archive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from balie.archive.models import ArchiveEvent
from balie.archive.verification import verify_organisation
from balie.conversations import actions, events, selectors
from balie.conversations.models import Direction, Message
from tests.factories import send


def test_resident_edits_own_message_and_the_original_stays_in_the_archive(webchat):
    conversation, _ = webchat
    message = send(conversation, "Mijn adres is Lindelaan 1")
    actions.do_edit_message(message, actor=None, body="Mijn adres is Lindelaan 10")

    message.refresh_from_db()
    assert message.body == "Mijn adres is Lindelaan 10" and message.edited_at is not None
    payload = events.message_payload(message, for_resident=True)
    assert payload["edited"] is True and payload["deleted"] is False
    created = ArchiveEvent.objects.get(event_type="message.created")
    edited = ArchiveEvent.objects.get(event_type="message.edited")
    assert created.payload["body"] == "Mijn adres is Lindelaan 1"
    assert (edited.payload["body"], edited.actor_kind) == ("Mijn adres is Lindelaan 10", "resident")
    assert verify_organisation(conversation.organisation_id)[1] is None


def test_agent_deletes_own_reply(webchat, agent_anna):
    conversation, _ = webchat
    reply = send(conversation, "Verkeerd antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    actions.do_delete_message(reply, actor=agent_anna)

    for_resident = selectors.messages_after(conversation, 0, for_resident=True)
    (shown,) = [events.message_payload(m, for_resident=True) for m in for_resident]
    assert (shown["deleted"], shown["body"], shown["attachments"]) == (True, "", [])
    deleted = ArchiveEvent.objects.get(event_type="message.deleted")
    assert deleted.actor == agent_anna and deleted.payload["message_id"] == reply.pk
    assert ArchiveEvent.objects.get(event_type="message.created").payload["body"] == (
        "Verkeerd antwoord"
    )


@pytest.mark.parametrize(
    ("who", "code"),
    [("resident_on_agent", "not_your_message"), ("other_agent", "not_your_message")],
)
def test_only_the_author_may_change_a_message(webchat, agent_anna, lead_lotte, who, code):
    conversation, _ = webchat
    reply = send(conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    actor = None if who == "resident_on_agent" else lead_lotte
    with pytest.raises(actions.ActionError) as error:
        actions.do_edit_message(reply, actor=actor, body="Anders")
    assert error.value.code == code


def test_agent_cannot_change_the_residents_message(webchat, agent_anna):
    conversation, _ = webchat
    question = send(conversation, "Vraag")
    with pytest.raises(actions.ActionError) as error:
        actions.do_delete_message(question, actor=agent_anna)
    assert error.value.code == "not_your_message"


def test_no_changes_after_the_window_or_after_deletion_or_to_system_lines(
    webchat, agent_anna, settings
):
    conversation, _ = webchat
    old = send(conversation, "Oud bericht")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    old.refresh_from_db()
    with pytest.raises(actions.ActionError) as error:
        actions.do_edit_message(old, actor=None, body="Nieuw")
    assert error.value.code == "too_late"

    gone = send(conversation, "Weg ermee")
    actions.do_delete_message(gone, actor=None)
    with pytest.raises(actions.ActionError) as error:
        actions.do_edit_message(gone, actor=None, body="Toch niet")
    assert error.value.code == "deleted"

    actions.do_change_status(conversation, actor=agent_anna, status="pending")
    system = Message.objects.get(direction=Direction.SYSTEM)
    with pytest.raises(actions.ActionError) as error:
        actions.do_delete_message(system, actor=agent_anna)
    assert error.value.code == "not_editable"


@pytest.mark.parametrize(("body", "code"), [("   ", "invalid_body"), (7, "invalid_body")])
def test_bad_edits_are_refused_and_nothing_is_archived(webchat, body, code):
    conversation, _ = webchat
    message = send(conversation, "Hallo")
    before = ArchiveEvent.objects.count()
    with pytest.raises(actions.ActionError) as error:
        actions.do_edit_message(message, actor=None, body=body)
    assert error.value.code == code
    assert ArchiveEvent.objects.count() == before


def test_api_history_shows_edits_and_deletions(webchat, utrecht_api_key):
    from rest_framework.test import APIClient

    from tests.conversations.test_files import png

    conversation, _ = webchat
    attachment = actions.do_store_attachment(conversation, data=png(), filename="x.png")
    message = actions.do_send_message(
        conversation, direction="inbound", body="Foto", client_id="client-photo",
        attachment_ids=[attachment.pk],
    ).message  # fmt: skip
    edited = send(conversation, "Eerst")
    actions.do_edit_message(edited, actor=None, body="Daarna")
    actions.do_delete_message(message, actor=None)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {utrecht_api_key[1]}")
    rows = client.get(f"/api/v1/conversations/{conversation.pk}/messages/").json()["results"]
    assert [(r["body"], r["edited"], r["deleted"], len(r["attachments"])) for r in rows] == [
        ("", False, True, 0),
        ("Daarna", True, False, 0),
    ]
