"""Contacts over the API."""

from __future__ import annotations

from tests.factories import AUDIT_WRITE_QUERIES


def test_list_contacts_with_session(as_user, woo_wim, webchat):
    conversation, _ = webchat

    response = as_user(woo_wim).get("/api/v1/contacts/")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    (row,) = response.json()["results"]
    assert row["id"] == conversation.contact_id
    assert row["organisation"] == "utrecht"
    assert row["display_name"] == f"Inwoner #{conversation.contact_id}"
    assert (row["name"], row["email"], row["phone"]) == ("", "", "")


def test_contact_detail_with_api_key(utrecht_key, webchat):
    conversation, _ = webchat

    response = utrecht_key.get(f"/api/v1/contacts/{conversation.contact_id}/")

    assert response.status_code == 200
    assert response.json()["id"] == conversation.contact_id
    assert response.json()["organisation"] == "utrecht"


def test_contact_list_query_count_does_not_grow(
    utrecht_key, utrecht, utrecht_team, django_assert_max_num_queries
):
    from balie.conversations import actions

    for _ in range(12):
        actions.do_start_webchat(utrecht)

    with django_assert_max_num_queries(4 + AUDIT_WRITE_QUERIES):
        response = utrecht_key.get("/api/v1/contacts/")

    assert response.json()["count"] == 12
