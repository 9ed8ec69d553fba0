"""The resident's history beside a conversation: the same contact across conversations (a
channel's phone number or e-mail address, a web chat's earlier chat on the same device), shown
to the agents who may see those conversations, audited, and never across organisations."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from balie.archive.models import AuditEntry
from balie.conversations import actions, selectors
from balie.conversations.models import Channel, Conversation
from tests.realtime.helpers import receive_until, resident_socket


def test_a_channel_finds_the_contact_by_phone_then_email(utrecht, utrecht_team):
    first = actions.do_start_conversation(utrecht, channel=Channel.SMS, phone="+31612345678")
    again = actions.do_start_conversation(
        utrecht, channel=Channel.WHATSAPP, name="Fatima", phone="+31612345678"
    )
    assert again.contact_id == first.contact_id
    again.contact.refresh_from_db()
    assert again.contact.name == "Fatima"  # a name learnt later fills the empty one
    mail = actions.do_start_conversation(
        utrecht, channel=Channel.EMAIL, email="F.Amrani@example.nl"
    )
    mail_again = actions.do_start_conversation(
        utrecht, channel=Channel.EMAIL, email="f.amrani@EXAMPLE.nl"
    )
    assert mail_again.contact_id == mail.contact_id != first.contact_id
    nobody = actions.do_start_conversation(utrecht, channel=Channel.EMAIL)
    assert nobody.contact_id not in (first.contact_id, mail.contact_id)


def test_another_organisation_never_shares_a_contact(
    utrecht, groningen, utrecht_team, groningen_team
):
    here = actions.do_start_conversation(utrecht, channel=Channel.SMS, phone="+31612345678")
    there = actions.do_start_conversation(groningen, channel=Channel.SMS, phone="+31612345678")
    assert here.contact_id != there.contact_id
    assert there.contact.organisation_id == groningen.pk


def test_a_web_chat_keeps_the_contact_of_the_devices_earlier_chat(utrecht, groningen, webchat):
    conversation, token = webchat
    later, _ = actions.do_start_webchat(utrecht, previous_token=token)
    assert later.contact_id == conversation.contact_id
    # Another organisation's token, a made-up one or something that is no text: a new contact.
    elsewhere, _ = actions.do_start_webchat(groningen, previous_token=token)
    made_up, _ = actions.do_start_webchat(utrecht, previous_token="x" * 43)
    odd, _ = actions.do_start_webchat(utrecht, previous_token={"token": token})
    contacts = {elsewhere.contact_id, made_up.contact_id, odd.contact_id, conversation.contact_id}
    assert len(contacts) == 4


@pytest.mark.django_db(transaction=True)
async def test_the_resident_page_starts_again_with_the_previous_token(webchat):
    conversation, token = webchat
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": None, "last_seq": 0})
    await receive_until(resident, "ready")
    await resident.send_json_to({"type": "start", "language": "nl", "previous": token})
    started = await receive_until(resident, "started")
    new = await database_sync_to_async(Conversation.objects.get)(pk=started["conversation"]["id"])
    assert new.contact_id == conversation.contact_id
    await resident.disconnect()


def _history(user, conversation):
    return selectors.contact_history(user, conversation)


def test_history_lists_the_contacts_other_conversations_newest_first(
    utrecht, utrecht_team, agent_anna
):
    first = actions.do_start_conversation(utrecht, channel=Channel.SMS, phone="+31611111111")
    second = actions.do_start_conversation(utrecht, channel=Channel.SMS, phone="+31611111111")
    third = actions.do_start_conversation(utrecht, channel=Channel.SMS, phone="+31611111111")
    actions.do_start_conversation(utrecht, channel=Channel.SMS, phone="+31622222222")
    rows, total = _history(agent_anna, third)
    assert [c.pk for c in rows] == [second.pk, first.pk] and total == 2
    entry = AuditEntry.objects.filter(action="conversation.list").latest("pk")
    assert entry.detail["ids"] == [second.pk, first.pk]
    assert entry.detail["filters"] == {"contact": third.contact_id}


def test_history_shows_only_what_the_agent_may_see(utrecht, utrecht_team, agent_anna, lead_lotte):
    here = actions.do_start_conversation(utrecht, channel=Channel.SMS, phone="+31611111111")
    elsewhere = actions.do_start_conversation(utrecht, channel=Channel.SMS, phone="+31611111111")
    other_team = actions.do_create_team(utrecht, name="Belastingen", members=[lead_lotte])
    actions.do_assign(elsewhere, actor=lead_lotte, team=other_team, change_team=True)
    assert _history(agent_anna, here) == ([], 0)  # another team's conversation: not Anna's
    rows, total = _history(lead_lotte, here)  # a team lead sees the whole organisation
    assert [c.pk for c in rows] == [elsewhere.pk] and total == 1


def test_console_history_endpoint(client, utrecht, utrecht_team, agent_anna, agent_gerrit):
    first = actions.do_start_conversation(utrecht, channel=Channel.SMS, phone="+31611111111")
    actions.do_update_details(first, actor=agent_anna, subject="Paspoort")
    second = actions.do_start_conversation(utrecht, channel=Channel.SMS, phone="+31611111111")
    client.force_login(agent_anna)
    response = client.get(f"/console/conversations/{second.pk}/history/")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    (row,) = body["conversations"]
    assert (row["id"], row["subject"], row["channel"]) == (first.pk, "Paspoort", "sms")
    assert row["status_label"] and row["channel_label"]
    client.force_login(agent_gerrit)  # Groningen: as if it did not exist
    assert client.get(f"/console/conversations/{second.pk}/history/").status_code == 404
    client.logout()
    assert client.get(f"/console/conversations/{second.pk}/history/").status_code == 401
