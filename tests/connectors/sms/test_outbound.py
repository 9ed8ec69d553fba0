"""Replies go out through the conversations' delivery task to the provider, each request
checked by the fake against the provider's contract; an outage is retried and every message
is delivered exactly once after recovery; a refusal fails visibly."""

from __future__ import annotations

import json

import pytest
import requests

from balie.connectors import accounts
from balie.connectors.models import ExternalMessage
from balie.connectors.sms.connector import idempotency_key
from balie.connectors.sms.providers import generic
from balie.connectors.sms.segments import count_segments
from balie.conversations import actions, tasks
from balie.conversations.models import DeliveryStatus, Direction, Message
from tests.connectors.sms.conftest import (
    ACCOUNT_SID,
    RESIDENT,
    SECRET,
    TOKEN,
    post_generic,
    post_twilio,
    run_deliveries,
    run_round,
    sms,
    twilio_sms,
)
from tests.factories import send
from tests.web.test_resident_files import png_bytes


@pytest.fixture
def generic_conversation(client, generic_account):
    post_generic(client, generic_account, sms())
    return Message.objects.get(direction=Direction.INBOUND).conversation


@pytest.fixture
def twilio_conversation(client, twilio_account):
    post_twilio(client, twilio_account, twilio_sms())
    return Message.objects.get(direction=Direction.INBOUND).conversation


def _reply(conversation, agent, text="Het stadskantoor is morgen van 9 tot 17 uur open."):
    return send(conversation, text, direction=Direction.OUTBOUND, author=agent)


def _status(message):
    message.refresh_from_db()
    return message.delivery_status, message.delivery_error


def test_a_reply_reaches_the_gateway_signed_and_in_the_format(
    generic_conversation, generic_account, gateway, agent_anna
):
    reply = _reply(generic_conversation, agent_anna)
    assert reply.delivery_status == DeliveryStatus.PENDING
    assert run_deliveries() == 1
    assert gateway.violations == []
    assert gateway.sent == [
        {
            "id": idempotency_key(generic_account, reply),
            "to": RESIDENT,
            "text": "Het stadskantoor is morgen van 9 tot 17 uur open.",
            "status_url": accounts.webhook_url(generic_account),
        }
    ]
    assert _status(reply) == (DeliveryStatus.SENT, "")
    gateway_id = gateway.ids[idempotency_key(generic_account, reply)]
    assert ExternalMessage.objects.get(external_id=gateway_id, inbound=False).message_id == reply.pk


def test_a_reply_reaches_twilio_as_its_api_describes(
    twilio_conversation, twilio_account, fake_twilio, agent_anna
):
    reply = _reply(twilio_conversation, agent_anna)
    run_deliveries()
    assert fake_twilio.violations == []
    (sent,) = fake_twilio.messages
    assert sent == {
        "To": RESIDENT,
        "From": "+3197010203041",
        "Body": "Het stadskantoor is morgen van 9 tot 17 uur open.",
        "StatusCallback": accounts.webhook_url(twilio_account),
        "sid": sent["sid"],
    }
    assert _status(reply) == (DeliveryStatus.SENT, "")
    assert ExternalMessage.objects.get(external_id=sent["sid"]).message_id == reply.pk


def test_twilio_through_a_messaging_service(
    twilio_conversation, twilio_account, fake_twilio, agent_anna
):
    accounts.do_update_channel(
        twilio_account, actor=None, settings={"messaging_service_sid": "MG" + "1" * 32}
    )
    _reply(twilio_conversation, agent_anna)
    run_deliveries()
    assert fake_twilio.violations == []
    (sent,) = fake_twilio.messages
    assert sent["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in sent


def test_a_long_reply_goes_as_one_request_and_twilio_splits_it(
    twilio_conversation, fake_twilio, agent_anna
):
    text = "Uw aanvraag voor een parkeervergunning is in behandeling genomen. " * 6
    assert count_segments(text).count == 3  # 402 GSM-7 characters: 153 per part
    _reply(twilio_conversation, agent_anna, text)
    run_deliveries()
    assert [m["Body"] for m in fake_twilio.messages] == [text]
    assert fake_twilio.violations == []


def test_longer_than_twilio_takes_fails_visibly(twilio_conversation, fake_twilio, agent_anna):
    reply = _reply(twilio_conversation, agent_anna, "a" * 1601)
    run_deliveries()
    assert _status(reply) == (DeliveryStatus.FAILED, "too_long: 1601 characters, Twilio takes 1600")
    assert fake_twilio.calls == 0


@pytest.mark.parametrize("mode", ["500", "drop", "lost"])
def test_an_outage_is_retried_and_each_reply_delivered_exactly_once(
    generic_conversation, gateway, agent_anna, mode
):
    replies = [_reply(generic_conversation, agent_anna, f"Antwoord {n}") for n in range(3)]
    gateway.fail_next(7, mode)
    assert run_round() == ["retrying"] * 3  # the first attempt of each: down
    for reply in replies:
        status, error = _status(reply)
        assert status == DeliveryStatus.PENDING and error.endswith("(retry 1/7)")
    run_deliveries()  # the retries: four more failures, then the gateway is back
    assert [_status(r) for r in replies] == [(DeliveryStatus.SENT, "")] * 3
    assert sorted(s["text"] for s in gateway.sent) == ["Antwoord 0", "Antwoord 1", "Antwoord 2"]
    assert gateway.violations == []
    # A late duplicate of a delivery task sends nothing again.
    tasks.deliver_outbound.call(replies[0].pk, 5)
    assert len(gateway.sent) == 3


def test_a_twilio_outage_is_retried_and_each_reply_delivered_exactly_once(
    twilio_conversation, fake_twilio, agent_anna
):
    replies = [_reply(twilio_conversation, agent_anna, f"Antwoord {n}") for n in range(3)]
    fake_twilio.fail_next(8, "500")
    run_deliveries()
    assert [_status(r)[0] for r in replies] == [DeliveryStatus.SENT] * 3
    assert sorted(m["Body"] for m in fake_twilio.messages) == [
        "Antwoord 0",
        "Antwoord 1",
        "Antwoord 2",
    ]
    assert fake_twilio.calls == 11 and fake_twilio.violations == []


def test_an_unreachable_gateway_is_tried_again(generic_conversation, generic_account, agent_anna):
    accounts.do_update_channel(
        generic_account, actor=None, settings={"url": "http://127.0.0.1:9/send"}
    )
    reply = _reply(generic_conversation, agent_anna)
    assert tasks.deliver_outbound.call(reply.pk) == "retrying"
    assert _status(reply)[1].startswith("unreachable: ConnectionError (retry 1/")


def test_a_refusal_fails_at_once_with_the_gateways_reason(
    generic_conversation, gateway, agent_anna
):
    gateway.refuse = (422, {"error": "number\nblocked"})
    reply = _reply(generic_conversation, agent_anna)
    assert run_deliveries() == 1
    assert _status(reply) == (DeliveryStatus.FAILED, "http_422: HTTP 422: number blocked")


@pytest.mark.parametrize("status", [408, 429, 503])
def test_a_busy_gateway_is_tried_again(generic_conversation, gateway, agent_anna, status):
    gateway.refuse = (status, {"error": "busy"})
    reply = _reply(generic_conversation, agent_anna)
    assert tasks.deliver_outbound.call(reply.pk) == "retrying"


def test_twilio_refusing_the_credentials_fails_at_once(
    twilio_conversation, twilio_account, fake_twilio, agent_anna
):
    accounts.do_update_channel(twilio_account, actor=None, secrets={"secret": "f" * 32})
    reply = _reply(twilio_conversation, agent_anna)
    run_deliveries()
    assert _status(reply) == (DeliveryStatus.FAILED, "twilio_20003: HTTP 401: Authenticate")
    assert fake_twilio.messages == []


def test_attachments_cannot_go_by_sms(generic_conversation, gateway, agent_anna):
    stored = actions.do_store_attachment(
        generic_conversation, data=png_bytes(), filename="plattegrond.png", uploaded_by=agent_anna
    )
    reply = actions.do_send_message(
        generic_conversation, direction=Direction.OUTBOUND, body="Zie de plattegrond",
        client_id="met-bijlage", author=agent_anna, attachment_ids=[stored.pk],
    ).message  # fmt: skip
    run_deliveries()
    assert _status(reply) == (
        DeliveryStatus.FAILED,
        "attachments_not_supported: SMS carries text only",
    )
    assert gateway.sent == []


def test_the_account_sid_is_the_one_in_the_path(twilio_account):
    assert twilio_account.settings["account_sid"] == ACCOUNT_SID


def test_the_fake_twilio_holds_requests_to_the_description(fake_twilio):
    """The check the other tests rely on: what Twilio's description refuses, the fake does."""
    url = f"{fake_twilio.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    auth = (ACCOUNT_SID, TOKEN)
    good = {"To": RESIDENT, "From": "+3197010203041", "Body": "Hallo"}
    assert requests.post(url, data=good, auth=auth, timeout=5).status_code == 201
    assert fake_twilio.violations == []
    refused = [
        ({**good, "ValidityPeriod": "soon"}, auth),  # not an integer
        ({**good, "ContentRetention": "forever"}, auth),  # not in the enum
        ({"From": "+3197010203041", "Body": "Hallo"}, auth),  # no To
        ({"To": RESIDENT, "Body": "Hallo"}, auth),  # neither From nor MessagingServiceSid
        (good, None),  # no Basic auth
    ]
    for form, credentials in refused:
        answer = requests.post(url, data=form, auth=credentials, timeout=5)
        assert answer.status_code == 400
    assert len(fake_twilio.violations) == len(refused)
    assert len(fake_twilio.messages) == 1
    wrong_account = url.replace(ACCOUNT_SID, "AC123")  # the path's pattern
    assert requests.post(wrong_account, data=good, auth=auth, timeout=5).status_code == 400


def test_the_fake_gateway_holds_requests_to_the_format(gateway):
    body = json.dumps({"id": "k-1", "to": RESIDENT, "text": "Hallo",
                       "status_url": "https://balie.example.nl/hooks/abc/"}).encode()  # fmt: skip
    json_type = {"Content-Type": "application/json"}
    signed = {**json_type, **generic.sign(SECRET, body)}
    assert requests.post(gateway.send_url, data=body, headers=signed, timeout=5).status_code == 202
    stale = {**json_type, **generic.sign(SECRET, body, now=1)}
    extra = json.dumps({**json.loads(body), "from": "+31"}).encode()
    for data, headers in [
        (body, json_type),  # unsigned
        (body, stale),
        (body, {**json_type, **generic.sign("another secret", body)}),
        (extra, {**json_type, **generic.sign(SECRET, extra)}),  # a field the format lacks
    ]:
        assert (
            requests.post(gateway.send_url, data=data, headers=headers, timeout=5).status_code
            == 400
        )
    assert len(gateway.violations) == 4 and len(gateway.sent) == 1
