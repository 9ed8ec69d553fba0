"""No two agents answer at once: a reply where someone else is assigned follows the team's rule
(warn: confirm first; block: only the assignee), in every path that sends (action, batch,
REST API, staff socket)."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from balie.conversations import actions
from balie.conversations.actions.collision import AssignedToOther
from balie.conversations.models import Collision, Conversation, Direction, Message, Team
from tests.factories import send
from tests.realtime.helpers import agent_socket, receive_until


def _reply(conversation, author, *, confirmed=False, direction=Direction.OUTBOUND):
    return actions.do_send_message(
        conversation,
        direction=direction,
        body="Antwoord",
        client_id=uuid.uuid4().hex,
        author=author,
        confirmed=confirmed,
    )


@pytest.fixture
def lottes(webchat, lead_lotte):
    """The web chat, assigned to Lotte."""
    conversation, _ = webchat
    return actions.do_assign(conversation, actor=lead_lotte, assignee=lead_lotte)


def _block(conversation):
    Team.objects.filter(pk=conversation.team_id).update(collision=Collision.BLOCK)


def test_warn_refuses_until_confirmed(lottes, agent_anna):
    with pytest.raises(AssignedToOther) as refused:
        _reply(lottes, agent_anna)
    assert refused.value.code == "assigned_to_other"
    assert refused.value.status == 409
    assert "Lotte" in refused.value.message
    assert not Message.objects.filter(conversation=lottes, direction=Direction.OUTBOUND).exists()
    assert _reply(lottes, agent_anna, confirmed=True).created


def test_the_assignee_notes_and_unassigned_conversations_are_never_refused(
    lottes, agent_anna, lead_lotte, webchat
):
    assert _reply(lottes, lead_lotte).created  # her own conversation
    assert _reply(lottes, agent_anna, direction=Direction.NOTE).created  # a note to colleagues
    send(lottes, "Nog een vraag")  # the resident
    actions.do_assign(lottes, actor=lead_lotte, assignee=None)
    lottes.refresh_from_db()
    assert _reply(lottes, agent_anna).created


def test_block_refuses_even_confirmed(lottes, agent_anna, lead_lotte):
    _block(lottes)
    with pytest.raises(AssignedToOther) as refused:
        _reply(lottes, agent_anna, confirmed=True)
    assert refused.value.code == "assigned_to_other_blocked"
    assert _reply(lottes, lead_lotte).created
    # Taking it over first is the way to reply.
    actions.do_assign(lottes, actor=agent_anna, assignee=agent_anna)
    lottes.refresh_from_db()
    assert _reply(lottes, agent_anna).created


def test_an_api_key_is_a_system_and_is_not_refused(lottes, utrecht_api_key):
    key, _secret = utrecht_api_key
    _block(lottes)
    assert _reply(lottes, key).created


def test_a_batch_fails_only_the_refused_reply(lottes, agent_anna, lead_lotte, utrecht):
    other, _ = actions.do_start_webchat(utrecht)
    items = [
        actions.SendItem(lottes, Direction.OUTBOUND, "Botst", uuid.uuid4().hex, agent_anna),
        actions.SendItem(other, Direction.OUTBOUND, "Gaat goed", uuid.uuid4().hex, agent_anna),
        actions.SendItem(lottes, Direction.OUTBOUND, "Van Lotte", uuid.uuid4().hex, lead_lotte),
    ]
    before = Conversation.objects.get(pk=lottes.pk).last_seq
    refused, sent, own = actions.send_messages(items)
    assert isinstance(refused, AssignedToOther)
    assert sent.created and own.created
    assert own.message.seq == before + 1  # the refused one took no sequence number


def test_the_rule_is_read_under_the_lock_not_from_the_stale_object(webchat, agent_anna, lead_lotte):
    conversation, _ = webchat  # Anna's copy says: nobody assigned
    fresh = Conversation.objects.get(pk=conversation.pk)
    actions.do_assign(fresh, actor=lead_lotte, assignee=lead_lotte)
    assert conversation.assignee_id is None
    with pytest.raises(AssignedToOther):
        _reply(conversation, agent_anna)


# --- the REST API ---------------------------------------------------------------------------
def _post(client, conversation, **body):
    return client.post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"client_id": uuid.uuid4().hex, "body": "Antwoord", **body},
        format="json",
    )


def test_api_warns_and_takes_confirm(lottes, agent_anna):
    client = APIClient()
    client.force_login(agent_anna)
    refused = _post(client, lottes)
    assert refused.status_code == 409
    assert refused.json()["code"] == "assigned_to_other"
    assert _post(client, lottes, confirm="yes").status_code == 400  # a boolean, strictly
    assert _post(client, lottes, confirm=True).status_code == 201


def test_api_block(lottes, agent_anna):
    _block(lottes)
    client = APIClient()
    client.force_login(agent_anna)
    response = _post(client, lottes, confirm=True)
    assert response.status_code == 409
    assert response.json()["code"] == "assigned_to_other_blocked"


# --- the staff socket -----------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
async def test_socket_reply_asks_then_sends_with_the_same_client_id(
    webchat, agent_anna, lead_lotte
):
    conversation, _ = webchat
    await database_sync_to_async(actions.do_assign)(
        conversation, actor=lead_lotte, assignee=lead_lotte
    )
    agent = await agent_socket(agent_anna)
    client_id = uuid.uuid4().hex
    frame = {
        "type": "send",
        "conversation": conversation.pk,
        "client_id": client_id,
        "body": "Ik help u",
        "ref": client_id,
    }
    await agent.send_json_to(frame)
    error = await receive_until(agent, "error")
    assert (error["code"], error["ref"]) == ("assigned_to_other", client_id)
    await agent.send_json_to({**frame, "confirm": True})
    ack = await receive_until(agent, "ack")
    assert ack["message"]["client_id"] == client_id and ack["duplicate"] is False
    await agent.send_json_to({**frame, "confirm": True})  # a resend stays one message
    assert (await receive_until(agent, "ack"))["duplicate"] is True
    await agent.disconnect()


# --- setting the rule -------------------------------------------------------------------------
def test_a_team_lead_sets_the_rule_and_the_archive_records_it(utrecht_team, lead_lotte, agent_anna):
    from balie.archive.models import ArchiveEvent
    from balie.errors import Invalid, NotAllowed

    with pytest.raises(NotAllowed):
        actions.do_set_team_collision(utrecht_team, Collision.BLOCK, actor=agent_anna)
    with pytest.raises(Invalid) as refused:
        actions.do_set_team_collision(utrecht_team, "sometimes", actor=lead_lotte)
    assert refused.value.field == "collision"
    actions.do_set_team_collision(utrecht_team, Collision.BLOCK, actor=lead_lotte)
    utrecht_team.refresh_from_db()
    assert utrecht_team.collision == Collision.BLOCK
    event = ArchiveEvent.objects.get(event_type="team.collision_changed")
    assert event.payload == {"team": utrecht_team.pk, "from": "warn", "to": "block"}


def test_the_routing_page_sets_the_rule_in_the_own_organisation_only(
    client, utrecht_team, groningen_team, lead_lotte, agent_anna
):
    client.force_login(agent_anna)
    path = f"/console/utrecht/routing/teams/{utrecht_team.pk}/collision/"
    assert client.post(path, {"collision": "block"}).status_code == 403
    client.force_login(lead_lotte)
    page = client.get("/console/utrecht/routing/")
    assert b'name="collision"' in page.content
    assert client.post(path, {"collision": "block"}).status_code == 302
    utrecht_team.refresh_from_db()
    assert utrecht_team.collision == "block"
    other = f"/console/utrecht/routing/teams/{groningen_team.pk}/collision/"
    assert client.post(other, {"collision": "block"}).status_code == 404
    groningen_team.refresh_from_db()
    assert groningen_team.collision == "warn"
