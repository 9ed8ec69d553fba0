"""Every staff read is audit-logged once, in the selectors, with who, what, where and why."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from balie.archive.audit import verify_audit
from balie.archive.models import AuditEntry
from balie.conversations import actions
from tests.archive.test_chain import _forged
from tests.conversations.test_files import png
from tests.factories import send
from tests.realtime.helpers import agent_socket, receive_until


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_opening_a_conversation_via_the_api_writes_one_entry(webchat, agent_anna):
    conversation, _ = webchat
    send(conversation, "Hallo")
    response = _client(agent_anna).get(
        f"/api/v1/conversations/{conversation.pk}/", HTTP_X_BALIE_PURPOSE="Woo-verzoek 2026-12"
    )
    assert response.status_code == 200
    (entry,) = AuditEntry.objects.all()
    assert (entry.actor, entry.action, entry.object_id) == (
        agent_anna,
        "conversation.read",
        conversation.pk,
    )
    assert (entry.channel, entry.ip, entry.purpose) == ("api", "127.0.0.1", "Woo-verzoek 2026-12")
    assert entry.organisation_id == conversation.organisation_id


@pytest.mark.django_db(transaction=True)
async def test_opening_a_conversation_in_the_console_writes_one_entry(webchat, agent_anna):
    conversation, _ = webchat
    agent = await agent_socket(agent_anna)
    await agent.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    await receive_until(agent, "subscribed")
    await agent.send_json_to({"type": "read", "conversation": conversation.pk, "seq": 0})
    await agent.disconnect()
    entries = await database_sync_to_async(lambda: list(AuditEntry.objects.all()))()
    assert [(e.action, e.object_id, e.channel, e.actor_id) for e in entries] == [
        ("conversation.read", conversation.pk, "socket", agent_anna.pk)
    ]


def test_writes_are_not_reads(webchat, agent_anna):
    conversation, _ = webchat
    client = _client(agent_anna)
    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"client_id": "client-write-1", "body": "Antwoord"},
        format="json",
    )
    assert response.status_code == 201
    assert not AuditEntry.objects.exists()


def test_key_reads_of_attachments_contacts_and_lists_are_logged(
    webchat, utrecht_api_key, groningen_webchat
):
    conversation, _ = webchat
    key, secret = utrecht_api_key
    attachment = actions.do_store_attachment(conversation, data=png(), filename="a.png")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(f"/api/v1/attachments/{attachment.pk}/").status_code == 200
    assert client.get(f"/api/v1/contacts/{conversation.contact_id}/").status_code == 200
    assert client.get("/api/v1/conversations/?status=open").status_code == 200

    entries = list(AuditEntry.objects.order_by("seq"))
    assert [(e.action, e.object_id) for e in entries] == [
        ("attachment.read", attachment.pk),
        ("contact.read", conversation.contact_id),
        ("conversation.list", None),
    ]
    assert all(e.api_key_id == key.pk and e.actor_id is None for e in entries)
    assert entries[2].detail == {
        "ids": [conversation.pk],
        "count": 1,
        "filters": {"status": "open"},
    }
    # Groningen's log is untouched: each organisation has its own.
    assert not AuditEntry.objects.filter(organisation=groningen_webchat[0].organisation).exists()


def test_console_inbox_is_logged_as_a_list_read(client, agent_anna, webchat):
    conversation, _ = webchat
    client.force_login(agent_anna)
    client.get("/console/utrecht/")
    (entry,) = AuditEntry.objects.all()
    assert (entry.action, entry.channel, entry.detail["ids"]) == (
        "conversation.list",
        "console",
        [conversation.pk],
    )


def test_the_audit_log_is_chained_and_append_only(webchat, agent_anna, capsys):
    conversation, _ = webchat
    client = _client(agent_anna)
    for _ in range(3):
        client.get(f"/api/v1/conversations/{conversation.pk}/")
    organisation_id = conversation.organisation_id
    assert verify_audit(organisation_id) == (3, None)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(organisation_id=organisation_id).update(purpose="niets")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM archive_auditentry")

    second = AuditEntry.objects.get(organisation_id=organisation_id, seq=2)
    _forged("DELETE FROM archive_auditentry WHERE id = %s", [second.pk])
    checked, found = verify_audit(organisation_id)
    assert (checked, found.seq) == (1, 3)
    with pytest.raises(SystemExit):
        call_command("verify", organisation="utrecht")
    assert "BROKEN after 1 good audit entries" in capsys.readouterr().out
