"""Delivery reports on what Balie sent, in any order: never backwards, a failure that turns
out delivered after all, a report that comes before the provider's answer to the send, and
never across tenants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from balie.archive.models import ArchiveEvent
from balie.connectors import accounts
from balie.connectors.sms import reports
from balie.connectors.sms.models import EarlyReport
from balie.connectors.sms.tasks import tidy_sms
from balie.conversations.models import DeliveryStatus, Direction, Message
from tests.connectors.sms.conftest import (
    ACCOUNT_SID,
    post_generic,
    post_twilio,
    run_deliveries,
    sms,
    twilio_sms,
)
from tests.connectors.sms.fakes import FakeGateway
from tests.factories import send

OTHER_SECRET = "groningen-eigen-geheim-9Qz"  # noqa: S105


def _reply(client, account, agent, post=post_generic, inbound=None):
    post(client, account, inbound or sms())
    conversation = Message.objects.get(direction=Direction.INBOUND).conversation
    return send(conversation, "Het kantoor is morgen open.", direction=Direction.OUTBOUND,
                author=agent)  # fmt: skip


def _status(message) -> tuple[str, str]:
    message.refresh_from_db()
    return message.delivery_status, message.delivery_error


def _report(external_id, status, error=None):
    payload = {"id": external_id, "status": status}
    if error is not None:
        payload["error"] = error
    return payload


def test_delivered_before_sent_stays_delivered(client, generic_account, gateway, agent_anna):
    gateway.next_ids = ["gw-1"]
    reply = _reply(client, generic_account, agent_anna)
    run_deliveries()
    assert _status(reply) == (DeliveryStatus.SENT, "")
    assert post_generic(client, generic_account, _report("gw-1", "delivered")).status_code == 200
    assert post_generic(client, generic_account, _report("gw-1", "sent")).status_code == 200
    assert _status(reply) == (DeliveryStatus.DELIVERED, "")
    statuses = [
        e.payload["status"] for e in ArchiveEvent.objects.filter(event_type="message.delivery")
    ]
    assert statuses == ["sent", "delivered"]  # the late "sent" changed nothing


def test_a_failure_then_delivered_after_all(client, generic_account, gateway, agent_anna):
    gateway.next_ids = ["gw-2"]
    reply = _reply(client, generic_account, agent_anna)
    run_deliveries()
    post_generic(client, generic_account, _report("gw-2", "failed", "absent subscriber"))
    assert _status(reply) == (DeliveryStatus.FAILED, "absent subscriber")
    post_generic(client, generic_account, _report("gw-2", "sent"))  # late: ignored
    assert _status(reply)[0] == DeliveryStatus.FAILED
    post_generic(client, generic_account, _report("gw-2", "delivered"))
    assert _status(reply) == (DeliveryStatus.DELIVERED, "")


def test_a_report_before_the_sends_answer_is_applied_when_it_comes(
    client, generic_account, gateway, agent_anna
):
    """The gateway reports on its id before its answer to the send reached Balie."""
    gateway.next_ids = ["gw-early"]
    reply = _reply(client, generic_account, agent_anna)
    assert (
        post_generic(client, generic_account, _report("gw-early", "delivered")).status_code == 200
    )
    assert EarlyReport.objects.filter(external_id="gw-early").exists()
    assert _status(reply)[0] == DeliveryStatus.PENDING
    run_deliveries()
    assert _status(reply) == (DeliveryStatus.DELIVERED, "")
    assert not EarlyReport.objects.exists()


def test_a_report_that_never_finds_its_message_is_forgotten(client, generic_account):
    post_generic(client, generic_account, _report("gw-unknown", "delivered"))
    assert EarlyReport.objects.count() == 1
    assert tidy_sms.call(generic_account.pk) == 0
    assert EarlyReport.objects.count() == 1
    EarlyReport.objects.update(created_at=timezone.now() - reports.KEEP - timedelta(seconds=1))
    tidy_sms.call(generic_account.pk)
    assert not EarlyReport.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        _report("gw-1", "read"),  # the generic format knows sent, delivered, failed
        _report("gw-1", "DELIVERED"),
        _report("gw-1", None),
        _report("", "sent"),
        _report("gw-1", "failed", 42),
        {"id": 7, "status": "sent"},
    ],
)
def test_a_malformed_report_is_refused(client, generic_account, payload):
    answer = post_generic(client, generic_account, payload)
    assert answer.status_code == 400 and answer.json()["code"] == "malformed"
    assert not EarlyReport.objects.exists()


def test_twilio_status_callbacks_in_any_order(client, twilio_account, fake_twilio, agent_anna):
    fake_twilio.next_sids = ["SM" + "e" * 32]
    reply = _reply(client, twilio_account, agent_anna, post=post_twilio, inbound=twilio_sms())
    run_deliveries()

    def callback(status, **extra):
        params = {"MessageSid": "SM" + "e" * 32, "SmsSid": "SM" + "e" * 32,
                  "MessageStatus": status, "SmsStatus": status, "AccountSid": ACCOUNT_SID,
                  "From": "+3197010203041", "To": "+31612345678", **extra}  # fmt: skip
        assert post_twilio(client, twilio_account, params).status_code == 204

    callback("delivered")
    callback("queued")
    callback("sent")
    assert _status(reply) == (DeliveryStatus.DELIVERED, "")
    callback("undelivered", ErrorCode="30003")  # too late: it was delivered
    assert _status(reply) == (DeliveryStatus.DELIVERED, "")


def test_twilio_undelivered_fails_with_its_error_code(
    client, twilio_account, fake_twilio, agent_anna
):
    fake_twilio.next_sids = ["SM" + "f" * 32]
    reply = _reply(client, twilio_account, agent_anna, post=post_twilio, inbound=twilio_sms())
    run_deliveries()
    params = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003",
              "AccountSid": ACCOUNT_SID}  # fmt: skip
    post_twilio(client, twilio_account, params)
    assert _status(reply) == (DeliveryStatus.FAILED, "undelivered: 30003")


@pytest.fixture
def groningen_sms(groningen, groningen_team):
    with FakeGateway(OTHER_SECRET) as fake:
        yield accounts.do_add_channel(
            groningen.pk, actor=None, kind="sms", name="SMS Groningen",
            settings={"provider": "generic", "url": fake.send_url},
            secrets={"secret": OTHER_SECRET},
        )  # fmt: skip


def test_a_report_at_another_tenants_url_changes_nothing(
    client, generic_account, gateway, groningen_sms, agent_anna
):
    gateway.next_ids = ["gw-utrecht"]
    reply = _reply(client, generic_account, agent_anna)
    run_deliveries()
    # Signed with Groningen's own secret at Groningen's address: about nothing of Groningen's.
    answer = post_generic(client, groningen_sms, _report("gw-utrecht", "failed", "x"),
                          secret=OTHER_SECRET)  # fmt: skip
    assert answer.status_code == 200
    # Signed with Utrecht's secret at Groningen's address: refused.
    assert post_generic(client, groningen_sms, _report("gw-utrecht", "failed")).status_code == 403
    assert _status(reply) == (DeliveryStatus.SENT, "")
    # Nor does Groningen's early report ever reach Utrecht's message.
    assert EarlyReport.objects.get().account_id == groningen_sms.pk
    post_generic(client, generic_account, _report("gw-utrecht", "delivered"))
    assert _status(reply) == (DeliveryStatus.DELIVERED, "")
    assert EarlyReport.objects.count() == 1


def test_an_sms_at_another_tenants_url_lands_there_only(client, generic_account, groningen_sms):
    post_generic(client, groningen_sms, sms("g-1"), secret=OTHER_SECRET)
    assert post_generic(client, groningen_sms, sms("g-2")).status_code == 403
    message = Message.objects.get()
    assert message.organisation_id == groningen_sms.organisation_id
