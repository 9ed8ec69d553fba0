"""The WhatsApp webhook: Meta's handshake, the signature over the raw body, malformed bodies,
a batch with a bad item, the same notification twice, and the tenant it lands in."""

from __future__ import annotations

import json

import pytest

from balie.archive.models import ArchiveEvent
from balie.connectors.models import ChannelThread, ExternalMessage
from balie.connectors.whatsapp.webhook import sign
from balie.conversations.models import Channel, Contact, Conversation, Message
from tests.connectors.whatsapp import payloads
from tests.connectors.whatsapp.conftest import (
    APP_SECRET,
    GRONINGEN_SECRET,
    RESIDENT,
    VERIFY_TOKEN,
    post,
)


def _hello(wamid: str = "wamid.HELLO1") -> dict:
    return payloads.notification(
        contacts=[payloads.contact(RESIDENT, "Sanne de Vries")],
        messages=[payloads.text(wamid, RESIDENT, "Wanneer wordt het grofvuil opgehaald?")],
    )


def _nothing_stored() -> bool:
    return not Message.objects.exists() and not ExternalMessage.objects.exists()


def test_the_handshake_answers_the_challenge_for_the_right_token_only(client, account):
    url = f"/hooks/{account.public_id}/"
    right = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    answer = client.get(url, right)
    assert answer.status_code == 200 and answer.content == b"1158201444"
    assert answer["Content-Type"].startswith("text/plain")
    for wrong in (
        {**right, "hub.verify_token": "guessed"},
        {**right, "hub.mode": "unsubscribe"},
        {"hub.mode": "subscribe", "hub.challenge": "1158201444"},
        {**right, "hub.challenge": ""},
    ):
        assert client.get(url, wrong).status_code == 403


def test_a_notification_without_a_signature_is_refused_and_nothing_stored(client, account):
    assert post(client, account, _hello(), signature="").status_code == 401
    assert _nothing_stored()


@pytest.mark.parametrize(
    "signature",
    [
        "sha256=" + "0" * 64,
        "sha1=whatever",
        sign(b"another body", APP_SECRET),
        "sha256=not-hex",
    ],
    ids=["zeros", "other-scheme", "other-body", "garbage"],
)
def test_a_wrong_signature_is_refused_and_nothing_stored(client, account, signature):
    assert post(client, account, _hello(), signature=signature).status_code == 403
    assert _nothing_stored()


def test_the_signature_is_over_the_raw_body(client, account):
    """The same JSON with other white space is another body: its signature does not fit."""
    payload = _hello()
    compact = json.dumps(payload, separators=(",", ":")).encode()
    spaced = json.dumps(payload, indent=2).encode()
    answer = post(client, account, spaced, signature=sign(compact, APP_SECRET))
    assert answer.status_code == 403 and _nothing_stored()
    assert post(client, account, spaced).status_code == 200
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account", "entry": {}}',
        b'{"object": "whatsapp_business_account"}',
        b"[" * 100_000,
    ],
    ids=["text", "bytes", "list", "other-object", "entry-object", "no-entry", "deep"],
)
def test_a_malformed_body_is_400_with_nothing_stored(client, account, body):
    assert post(client, account, body).status_code == 400
    assert _nothing_stored()


def test_a_batch_with_bad_items_stores_the_good_ones(client, account):
    good = _hello()
    value = good["entry"][0]["changes"][0]["value"]
    value["messages"] += [
        {"id": "wamid.NOFROM", "timestamp": "1", "type": "text", "text": {"body": "x"}},
        {"from": RESIDENT, "id": "wamid.NOTEXT", "timestamp": "1", "type": "text"},
        {"from": "not-a-number", "id": "wamid.BADFROM", "type": "text", "text": {"body": "x"}},
        "not an object",
        payloads.text("wamid.SECOND", RESIDENT, "En het oud papier?"),
    ]
    value["statuses"] = [{"id": "wamid.X", "status": "exploded"}, 7]
    good["entry"] += ["not an entry", {"id": "1", "changes": "nope"}]
    good["entry"][0]["changes"].append({"field": "messages", "value": "nope"})
    assert post(client, account, good).status_code == 200
    assert list(Message.objects.order_by("seq").values_list("body", flat=True)) == [
        "Wanneer wordt het grofvuil opgehaald?",
        "En het oud papier?",
    ]


def test_the_same_notification_twice_is_one_message(client, account):
    for _ in range(3):
        assert post(client, account, _hello()).status_code == 200
    message = Message.objects.get()
    assert ExternalMessage.objects.get().external_id == "wamid.HELLO1"
    assert ArchiveEvent.objects.filter(event_type="message.created").count() == 1
    conversation = message.conversation
    assert conversation.channel == Channel.WHATSAPP
    assert conversation.organisation_id == account.organisation_id


def test_the_resident_is_their_whatsapp_id_with_their_profile_name(client, account):
    post(client, account, _hello())
    other_spelling = payloads.notification(
        contacts=[payloads.contact("+31 6 1234 5678", "Sanne de Vries")],
        messages=[payloads.text("wamid.HELLO2", "+31-6-12345678", "Nog een vraag")],
    )
    post(client, account, other_spelling)
    thread = ChannelThread.objects.get()
    assert thread.address == RESIDENT
    assert Message.objects.filter(conversation=thread.conversation).count() == 2
    assert Contact.objects.get().name == "Sanne de Vries"


def test_a_notification_for_another_number_is_left_alone(client, account):
    """The phone number id in the notification is not the account's: nothing stored, and
    Meta hears 200 (it is not an error Meta can fix by sending it again)."""
    foreign = payloads.notification(
        phone_number_id="999999999999999",
        messages=[payloads.text("wamid.FOREIGN", RESIDENT, "Voor een ander nummer")],
    )
    assert post(client, account, foreign).status_code == 200
    assert _nothing_stored()


def test_a_webhook_of_one_organisation_never_lands_in_another(
    client, account, groningen_account, groningen
):
    # Utrecht's notification at Groningen's address, signed with Utrecht's secret: refused.
    assert post(client, groningen_account, _hello()).status_code == 403
    # Signed with Groningen's secret at Utrecht's address: refused.
    assert post(client, account, _hello(), secret=GRONINGEN_SECRET).status_code == 403
    # Signed by Groningen, but about Utrecht's number: not Groningen's to store.
    assert post(client, groningen_account, _hello(), secret=GRONINGEN_SECRET).status_code == 200
    assert _nothing_stored()
    # Utrecht's own, at its own address: Utrecht's.
    assert post(client, account, _hello()).status_code == 200
    assert Conversation.objects.get().organisation_id == account.organisation_id
    assert not Conversation.objects.filter(organisation=groningen).exists()


def test_a_disabled_account_hears_nothing(client, account):
    from balie.connectors.accounts import do_update_channel

    do_update_channel(account, actor=None, enabled=False)
    assert post(client, account, _hello()).status_code == 404
    assert _nothing_stored()


def _review(event: str, business_account_id: str = payloads.BUSINESS_ACCOUNT_ID) -> dict:
    """Meta's ``message_template_status_update`` notification (field of the WhatsApp Business
    Account): https://developers.facebook.com/docs/graph-api/webhooks/reference/whatsapp-business-account/#message_template_status_update"""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": business_account_id,
                "time": 1767225600,
                "changes": [
                    {
                        "field": "message_template_status_update",
                        "value": {
                            "event": event,
                            "message_template_id": 1234567890,
                            "message_template_name": "herinnering",
                            "message_template_language": "nl",
                            "reason": "NONE",
                        },
                    }
                ],
            }
        ],
    }


def test_metas_review_of_a_template_sets_whether_it_is_approved(client, account):
    from balie.connectors.whatsapp.templates import do_add_template

    template = do_add_template(
        account, actor=None, name="herinnering", language="nl", body="Beste {{1}}"
    )
    assert post(client, account, _review("APPROVED")).status_code == 200
    template.refresh_from_db()
    assert template.approved is True
    post(client, account, _review("APPROVED", business_account_id="999"))  # not this account's
    post(client, account, _review("PAUSED", business_account_id="999"))
    template.refresh_from_db()
    assert template.approved is True
    post(client, account, _review("PAUSED"))
    template.refresh_from_db()
    assert template.approved is False
    events = ArchiveEvent.objects.filter(event_type="whatsapp.template_reviewed")
    assert [e.payload["approved"] for e in events.order_by("seq")] == [True, False]
