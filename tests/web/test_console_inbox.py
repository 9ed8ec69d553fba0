"""The inbox: what it lists, unread counts per conversation and team, filters, query count."""

from __future__ import annotations

import re

from balie.conversations import actions
from balie.conversations.models import Direction
from tests.factories import AUDIT_WRITE_QUERIES, send


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="row[^"]*" data-id="(\d+)"', html)]


def _unread(html: str, conversation_id: int) -> int:
    match = re.search(rf'data-id="{conversation_id}".*?data-unread="(\d+)"', html, re.S)
    return int(match.group(1))


def test_inbox_lists_utrecht_conversations_with_unread_counts(client, agent_anna, webchat):
    conversation, _ = webchat
    send(conversation, "Hallo, ik heb een vraag over afval.")
    send(conversation, "Zijn jullie er?")
    send(conversation, "Een moment.", direction=Direction.OUTBOUND, author=agent_anna)
    client.force_login(agent_anna)

    response = client.get("/console/utrecht/")

    assert response.status_code == 200
    assert _row_ids(response.text) == [conversation.pk]
    assert _unread(response.text, conversation.pk) == 2
    team_badge = re.search(r'data-team-unread="\d+"\s+title="ongelezen">(\d+)<', response.text)
    assert team_badge.group(1) == "2"


def test_team_count_adds_up_conversations_with_equal_counts(client, agent_anna, utrecht_team):
    for _ in range(3):
        conversation, _ = actions.do_start_webchat(utrecht_team.organisation)
        send(conversation, "Hallo")
    client.force_login(agent_anna)
    page = client.get("/console/utrecht/").text
    team_badge = re.search(
        rf'data-team-unread="{utrecht_team.pk}"\s+title="ongelezen">(\d+)<', page
    )
    assert team_badge.group(1) == "3"


def test_reading_clears_the_unread_count(client, agent_anna, webchat):
    conversation, _ = webchat
    message = send(conversation, "Hallo")
    actions.do_mark_read(conversation, side="agent", seq=message.seq)
    client.force_login(agent_anna)
    assert _unread(client.get("/console/utrecht/").text, conversation.pk) == 0


def test_inbox_newest_activity_first_and_filters(client, agent_anna, utrecht, utrecht_team):
    older, _ = actions.do_start_webchat(utrecht)
    newer, _ = actions.do_start_webchat(utrecht)
    send(older, "eerste")
    send(newer, "tweede")
    actions.do_change_status(older, actor=agent_anna, status="resolved")
    actions.do_assign(newer, actor=agent_anna, assignee=agent_anna)  # newest activity
    client.force_login(agent_anna)

    assert _row_ids(client.get("/console/utrecht/?status=all").text) == [newer.pk, older.pk]
    assert _row_ids(client.get("/console/utrecht/").text) == [newer.pk]  # open + pending
    assert _row_ids(client.get("/console/utrecht/?status=resolved").text) == [older.pk]
    assert _row_ids(client.get("/console/utrecht/?status=all&scope=mine").text) == [newer.pk]
    unassigned = client.get("/console/utrecht/?status=all&scope=unassigned").text
    assert _row_ids(unassigned) == [older.pk]
    assert _row_ids(client.get("/console/utrecht/?status=all&team=none").text) == []
    by_team = client.get(f"/console/utrecht/?status=all&team={utrecht_team.pk}").text
    assert _row_ids(by_team) == [newer.pk, older.pk]


def test_agent_outside_the_team_does_not_see_its_queue(client, agent_bram, webchat):
    conversation, _ = webchat
    send(conversation, "Hallo")
    client.force_login(agent_bram)
    assert _row_ids(client.get("/console/utrecht/").text) == []


def test_contact_text_is_escaped(client, agent_anna, webchat):
    conversation, _ = webchat
    actions.do_update_details(conversation, actor=agent_anna, subject="<script>x()</script>")
    client.force_login(agent_anna)
    page = client.get("/console/utrecht/").text
    assert "<script>x()</script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page


def test_inbox_query_count_does_not_grow_with_conversations(
    client, agent_anna, lead_lotte, utrecht, utrecht_team, django_assert_max_num_queries
):
    for number in range(12):
        conversation, _ = actions.do_start_webchat(utrecht)
        send(conversation, f"vraag {number}")
        actions.do_assign(conversation, actor=lead_lotte, assignee=agent_anna)
    client.force_login(agent_anna)
    # 12: one of them the record classes for the conversation panes' chooser, one the
    # agent's availability for the header's control.
    with django_assert_max_num_queries(12 + AUDIT_WRITE_QUERIES):
        response = client.get("/console/utrecht/")
    assert len(_row_ids(response.text)) == 12


def test_unread_endpoint_gives_conversation_and_team_counts(
    client, agent_anna, webchat, utrecht_team
):
    conversation, _ = webchat
    send(conversation, "Hallo")
    client.force_login(agent_anna)
    response = client.get(f"/console/utrecht/unread/?ids={conversation.pk},x,999999")
    assert response.status_code == 200
    assert response.json() == {
        "unread": {str(conversation.pk): 1},
        "teams": {str(utrecht_team.pk): 1, "none": 0},
    }


def test_read_only_roles_get_no_write_controls(client, auditor_aziz, webchat):
    client.force_login(auditor_aziz)
    page = client.get("/console/utrecht/").text
    assert '"canWrite": false' in page
    assert "U kunt meelezen, maar niets wijzigen." in page


def test_the_pane_gets_the_addresses_of_the_whatsapp_window_and_the_registration(
    client, agent_anna, utrecht_team
):
    """console.js puts the conversation's id in place of the last ``/0/``."""
    client.force_login(agent_anna)
    urls = client.get("/console/utrecht/").context["config"]["urls"]
    assert urls["whatsappWindow"] == "/console/conversations/0/whatsapp/"
    assert urls["whatsappTemplate"] == "/console/conversations/0/whatsapp/template/"
    assert urls["klantinteracties"] == "/console/utrecht/klantinteracties/conversations/0/"
