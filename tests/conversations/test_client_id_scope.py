"""Idempotency keys belong to their sender: a resend returns the sender's own message, the
same client_id from anyone else is refused and never answered with the other's message."""

from __future__ import annotations

import pytest

from balie.conversations import actions
from balie.conversations.models import Direction, Message
from tests.factories import send


def test_a_resident_using_a_notes_client_id_gets_a_conflict_not_the_note(webchat, agent_anna):
    conversation, _ = webchat
    send(
        conversation,
        "geheim: BSN",
        direction=Direction.NOTE,
        author=agent_anna,
        client_id="note-0001",
    )

    with pytest.raises(actions.ClientIdConflict) as refused:
        send(conversation, "hallo", client_id="note-0001")

    assert refused.value.status == 409 and "BSN" not in str(refused.value)
    assert list(Message.objects.values_list("body", flat=True)) == ["geheim: BSN"]


def test_an_integrations_next_client_id_taken_by_a_resident_is_a_conflict(webchat, utrecht_api_key):
    conversation, _ = webchat
    key, _secret = utrecht_api_key
    send(conversation, "ik was eerst", client_id="crm-0001")

    with pytest.raises(actions.ClientIdConflict):
        send(
            conversation,
            "officieel",
            direction=Direction.OUTBOUND,
            author=key,
            client_id="crm-0001",
        )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            {"direction": Direction.OUTBOUND, "author": "anna"},
            {"direction": Direction.NOTE, "author": "anna"},
        ),  # noqa: E501
        (
            {"direction": Direction.OUTBOUND, "author": "anna"},
            {"direction": Direction.OUTBOUND, "author": "lotte"},
        ),  # noqa: E501
        (
            {"direction": Direction.OUTBOUND, "author": "anna"},
            {"direction": Direction.INBOUND, "author": None},
        ),  # noqa: E501
    ],
)
def test_other_senders_conflict(webchat, agent_anna, lead_lotte, first, second):
    conversation, _ = webchat
    people = {"anna": agent_anna, "lotte": lead_lotte, None: None}
    send(
        conversation,
        "eerste",
        direction=first["direction"],
        author=people[first["author"]],
        client_id="same-0001",
    )

    with pytest.raises(actions.ClientIdConflict):
        send(
            conversation,
            "tweede",
            direction=second["direction"],
            author=people[second["author"]],
            client_id="same-0001",
        )  # noqa: E501


def test_the_same_sender_gets_its_own_message_back(webchat, agent_anna):
    conversation, _ = webchat
    first = send(
        conversation,
        "eerste",
        direction=Direction.OUTBOUND,
        author=agent_anna,
        client_id="own-00001",
    )

    again = actions.do_send_message(
        conversation,
        direction=Direction.OUTBOUND,
        body="anders",
        client_id="own-00001",
        author=agent_anna,
    )

    assert again.created is False and again.message.pk == first.pk


def test_in_one_batch_the_second_sender_conflicts(webchat, agent_anna):
    conversation, _ = webchat
    items = [
        actions.SendItem(conversation, Direction.NOTE, "notitie", "batch-0001", agent_anna),
        actions.SendItem(conversation, Direction.INBOUND, "hallo", "batch-0001"),
    ]

    note, resident = actions.send_messages(items)

    assert note.created is True
    assert isinstance(resident, actions.ClientIdConflict)
