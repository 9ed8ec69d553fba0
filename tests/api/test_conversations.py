"""Listing and reading conversations: content, filters, order, unread counts, query count."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from balie.conversations import actions
from balie.conversations.models import Conversation, Direction
from tests.factories import AUDIT_WRITE_QUERIES, send


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_agent_lists_conversations_with_unread_counts(as_user, agent_anna, webchat):
    conversation, _ = webchat
    send(conversation, "Mijn container is niet geleegd.")
    send(conversation, "Hallo?")

    response = as_user(agent_anna).get("/api/v1/conversations/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["id"] == conversation.pk
    assert row["organisation"] == "utrecht"
    assert row["channel"] == "webchat"
    assert row["status"] == "open"
    assert row["team_name"] == "Algemeen"
    assert row["assignee"] is None
    assert row["last_seq"] == 2
    assert row["unread"] == 2


def test_api_key_lists_its_organisation(utrecht_key, webchat):
    conversation, _ = webchat
    send(conversation, "Hallo")

    response = utrecht_key.get("/api/v1/conversations/")

    assert response.status_code == 200
    assert _ids(response) == [conversation.pk]
    assert response.json()["results"][0]["unread"] == 1


def test_newest_activity_first_and_paginated(utrecht_key, utrecht, utrecht_team):
    first, _ = actions.do_start_webchat(utrecht)
    second, _ = actions.do_start_webchat(utrecht)
    send(second, "eerder")
    send(first, "later")

    response = utrecht_key.get("/api/v1/conversations/?limit=1")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert _ids(response) == [first.pk]
    assert response.json()["next"].endswith("limit=1&offset=1")
    assert _ids(utrecht_key.get("/api/v1/conversations/?limit=1&offset=1")) == [second.pk]


def test_filters(utrecht_key, utrecht, utrecht_team, agent_anna, lead_lotte):
    mine, _ = actions.do_start_webchat(utrecht)
    other, _ = actions.do_start_webchat(utrecht)
    send(mine, "een")
    send(other, "twee")
    actions.do_assign(mine, actor=lead_lotte, assignee=agent_anna)
    actions.do_update_details(mine, actor=agent_anna, labels=["afval"], case_reference="Z-2024-1")
    actions.do_change_status(other, actor=agent_anna, status="pending")
    Conversation.objects.filter(pk=other.pk).update(
        last_message_at=timezone.now() - timedelta(days=3)
    )
    two_days_ago = (timezone.now() - timedelta(days=2)).isoformat()

    def ids(query: str) -> list[int]:
        response = utrecht_key.get("/api/v1/conversations/", query)
        assert response.status_code == 200, response.json()
        return _ids(response)

    assert ids({"assignee": agent_anna.pk}) == [mine.pk]
    assert ids({"assignee": "none"}) == [other.pk]
    assert ids({"status": "pending"}) == [other.pk]
    assert ids({"label": "afval"}) == [mine.pk]
    assert ids({"case_reference": "Z-2024-1"}) == [mine.pk]
    assert ids({"team": utrecht_team.pk}) == [mine.pk, other.pk]
    assert ids({"channel": "sms"}) == []
    assert ids({"organisation": "utrecht"}) == [mine.pk, other.pk]
    assert ids({"organisation": "groningen"}) == []
    assert ids({"updated_after": two_days_ago}) == [mine.pk]
    assert ids({"updated_before": two_days_ago}) == [other.pk]


def test_bad_filter_values_are_refused(utrecht_key):
    response = utrecht_key.get("/api/v1/conversations/?status=weg&team=abc&assignee=iedereen")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"status", "team", "assignee"}
    assert body["fields"]["status"][0]["code"] == "invalid_choice"


def test_agent_sees_only_own_teams_and_unteamed(as_user, agent_bram, webchat):
    """Bram is in no team: Utrecht's team queue is not his."""
    response = as_user(agent_bram).get("/api/v1/conversations/")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_list_query_count_does_not_grow(
    as_user, utrecht_key, agent_anna, utrecht, utrecht_team, django_assert_max_num_queries
):
    def add(n: int) -> None:
        for _ in range(n):
            conversation, _ = actions.do_start_webchat(utrecht)
            send(conversation, "vraag")
            send(conversation, "antwoord", direction=Direction.OUTBOUND, author=agent_anna)
            actions.do_assign(conversation, actor=agent_anna, assignee=agent_anna)
            actions.do_update_details(conversation, actor=agent_anna, labels=["a", "b"])

    session = as_user(agent_anna)
    add(2)
    with django_assert_max_num_queries(6 + AUDIT_WRITE_QUERIES):
        assert session.get("/api/v1/conversations/").json()["count"] == 2
    add(12)
    with django_assert_max_num_queries(6 + AUDIT_WRITE_QUERIES):
        response = session.get("/api/v1/conversations/")
    assert response.json()["count"] == 14
    assert all(row["labels"] == ["a", "b"] for row in response.json()["results"])
    with django_assert_max_num_queries(5 + AUDIT_WRITE_QUERIES):
        assert utrecht_key.get("/api/v1/conversations/").json()["count"] == 14


def test_detail(as_user, utrecht_key, agent_anna, webchat):
    conversation, _ = webchat
    send(conversation, "Hallo")
    actions.do_update_details(conversation, actor=agent_anna, subject="Afval", labels=["afval"])

    for client in (as_user(agent_anna), utrecht_key):
        response = client.get(f"/api/v1/conversations/{conversation.pk}/")
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == conversation.pk
        assert body["subject"] == "Afval"
        assert body["labels"] == ["afval"]
        assert body["contact"] == conversation.contact_id
        assert body["unread"] == 1


def test_unknown_or_malformed_id_is_404(utrecht_key):
    for conversation_id in ("999999", "abc", "-1", "99999999999999999999"):
        response = utrecht_key.get(f"/api/v1/conversations/{conversation_id}/")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "Niet gevonden.", "fields": {}}


def test_unknown_address_answers_in_the_error_shape(utrecht_key):
    response = utrecht_key.get("/api/v1/bestaat-niet/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
