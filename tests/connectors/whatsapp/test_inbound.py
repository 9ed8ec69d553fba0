"""Every kind of WhatsApp message a resident can send, as staff read it in Balie."""

from __future__ import annotations

import json

import pytest

from balie.connectors.inbound import Inbound, do_receive
from balie.conversations.models import Message
from tests.connectors.whatsapp import payloads
from tests.connectors.whatsapp.conftest import RESIDENT, post

OTHER = "31687654321"


@pytest.fixture(autouse=True)
def _english(settings):
    """The texts Balie writes into a message are in the default language: English here, so
    the expectations do not depend on the Dutch catalogue."""
    settings.LANGUAGE_CODE = "en"


def _body(client, account, message: dict) -> str:
    post(client, account, payloads.notification(messages=[message]))
    return Message.objects.order_by("-pk").first().body


def test_text(client, account):
    assert _body(client, account, payloads.text("wamid.T", RESIDENT, "Hallo gemeente")) == (
        "Hallo gemeente"
    )


def test_location_with_name_address_and_a_map_link(client, account):
    message = payloads.message(
        "wamid.L", RESIDENT, "location",
        {"latitude": 52.0907, "longitude": 5.1214, "name": "Stadhuis", "address": "Stadsplateau 1"},
    )  # fmt: skip
    assert _body(client, account, message).splitlines() == [
        "Location: Stadhuis, Stadsplateau 1",
        "52.090700, 5.121400",
        "https://www.openstreetmap.org/?mlat=52.090700&mlon=5.121400#map=17/52.090700/5.121400",
    ]


def test_contacts_with_names_and_numbers(client, account):
    message = payloads.message(
        "wamid.C", RESIDENT, "contacts",
        [{"name": {"formatted_name": "Buurvrouw Els", "first_name": "Els"},
          "phones": [{"phone": "+31 6 11112222", "type": "CELL"}, {"phone": "030-1234567"}]},
         {"name": {"formatted_name": "Huismeester"}}],
    )  # fmt: skip
    assert _body(client, account, message).splitlines() == [
        "Contact card: Buurvrouw Els (+31 6 11112222, 030-1234567)",
        "Contact card: Huismeester",
    ]


def test_a_reply_quotes_the_message_it_answers_and_stays_in_its_conversation(client, account):
    post(client, account, payloads.notification(
        messages=[payloads.text("wamid.FIRST", RESIDENT, "Mijn container is niet geleegd")]
    ))  # fmt: skip
    reply = payloads.text("wamid.REPLY", RESIDENT, "Nog steeds niet!", reply_to="wamid.FIRST")
    assert _body(client, account, reply).splitlines() == [
        "In reply to: “Mijn container is niet geleegd”",
        "Nog steeds niet!",
    ]
    assert Message.objects.values("conversation").distinct().count() == 1


def test_a_reply_to_an_unknown_message(client, account):
    reply = payloads.text("wamid.R2", RESIDENT, "Dit dus", reply_to="wamid.NEVERSEEN")
    assert _body(client, account, reply).splitlines()[0] == "In reply to: an earlier message"


def test_a_reaction_names_the_emoji_and_the_message(client, account):
    long_text = (
        "Kunt u mij laten weten wanneer de nieuwe parkeervergunning ingaat, en wat die kost?"
    )
    post(client, account, payloads.notification(
        messages=[payloads.text("wamid.Q", RESIDENT, long_text)]
    ))  # fmt: skip
    liked = payloads.message(
        "wamid.LIKE", RESIDENT, "reaction", {"message_id": "wamid.Q", "emoji": "👍"}
    )
    assert _body(client, account, liked) == f"Reacted with 👍 to: “{long_text[:80]}…”"
    taken_back = payloads.message(
        "wamid.UNLIKE", RESIDENT, "reaction", {"message_id": "wamid.Q", "emoji": ""}
    )
    assert _body(client, account, taken_back).startswith("Took back a reaction to: “Kunt u")


def test_a_reaction_to_balies_own_message(client, account, agent_anna, fake_graph):
    from balie.conversations import tasks
    from tests.factories import send

    first = do_receive(account, Inbound("wamid.IN", RESIDENT, "Vraag"))
    answer = send(first.conversation, "Antwoord van de gemeente", direction="outbound",
                  author=agent_anna)  # fmt: skip
    assert tasks.deliver_outbound.call(answer.pk) == "sent"
    wamid = fake_graph.sent[0]["_wamid"]
    liked = payloads.message("wamid.L2", RESIDENT, "reaction", {"message_id": wamid, "emoji": "❤️"})
    assert _body(client, account, liked) == "Reacted with ❤️ to: “Antwoord van de gemeente”"


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        ("button", {"text": "Ja, graag", "payload": "YES"}, "Ja, graag"),
        (
            "interactive",
            {
                "type": "list_reply",
                "list_reply": {"id": "1", "title": "Afval", "description": "Grofvuil"},
            },
            "Afval — Grofvuil",
        ),
        ("unsupported", {}, "[A kind of WhatsApp message Balie does not show: unsupported]"),
        (
            "system",
            {
                "body": "Sanne changed from 31612345678 to 31699999999",
                "type": "user_changed_number",
            },
            "WhatsApp notice: Sanne changed from 31612345678 to 31699999999",
        ),
    ],
    ids=["button", "interactive", "unsupported", "system"],
)
def test_other_kinds(client, account, kind, content, expected):
    assert _body(client, account, payloads.message(f"wamid.{kind}", RESIDENT, kind, content)) == (
        expected
    )


def test_two_residents_have_two_conversations(client, account):
    post(client, account, payloads.notification(messages=[
        payloads.text("wamid.A", RESIDENT, "Van de een"),
        payloads.text("wamid.B", OTHER, "Van de ander"),
    ]))  # fmt: skip
    assert Message.objects.values("conversation").distinct().count() == 2


def test_text_that_a_database_cannot_store_is_cleaned(client, account):
    message = payloads.text("wamid.NUL", RESIDENT, "PLACEHOLDER")
    raw = json.dumps(payloads.notification(messages=[message])).encode()
    # JSON may carry what no database stores: a NUL and a lone surrogate.
    raw = raw.replace(b"PLACEHOLDER", b"a\\u0000b\\udc80c")
    assert post(client, account, raw).status_code == 200
    assert Message.objects.get().body == "ab?c"
