"""Utrecht's SMS accounts — one on a gateway speaking Balie's generic format, one on
Twilio — each with its local fake provider, and helpers that sign and post webhooks as the
provider would."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django_tasks_db.models import DBTaskResult

from balie.connectors import accounts
from balie.connectors.sms.providers import generic, twilio
from balie.conversations import tasks
from tests.connectors.sms.fakes import FakeGateway, FakeTwilio

SECRET = "gedeeld-geheim-voor-sms-3f9K-never-shown"  # noqa: S105
TOKEN = "0123456789abcdef0123456789abcdef"  # noqa: S105 - a made-up Twilio Auth Token
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
RESIDENT = "+31612345678"
DELIVER = "balie.conversations.tasks.deliver_outbound"
TIDY = "balie.connectors.sms.tasks.tidy_sms"


@pytest.fixture
def gateway():
    with FakeGateway(SECRET) as fake:
        yield fake


@pytest.fixture
def fake_twilio():
    with FakeTwilio(ACCOUNT_SID, TOKEN) as fake:
        yield fake


@pytest.fixture
def generic_account(utrecht, utrecht_team, gateway):
    return accounts.do_add_channel(
        utrecht.pk, actor=None, kind="sms", name="SMS Utrecht",
        settings={"provider": "generic", "url": gateway.send_url, "number": "097010203040"},
        secrets={"secret": SECRET},
    )  # fmt: skip


@pytest.fixture
def twilio_account(utrecht, utrecht_team, fake_twilio):
    return accounts.do_add_channel(
        utrecht.pk, actor=None, kind="sms", name="SMS Utrecht (Twilio)",
        settings={"provider": "twilio", "account_sid": ACCOUNT_SID, "number": "+3197010203041",
                  "api_base": fake_twilio.url},
        secrets={"secret": TOKEN},
    )  # fmt: skip


def sms(external_id="m-1", text="Wanneer wordt het grofvuil opgehaald?", *, sender="06-12345678",
        part=None, **extra):  # fmt: skip
    payload = {
        "id": external_id,
        "from": sender,
        "to": "+3197010203040",
        "text": text,
        "received_at": "2026-05-04T10:00:00+02:00",
        **extra,
    }
    if part is not None:
        payload["part"] = dict(zip(("ref", "index", "total"), part, strict=True))
    return payload


def post_generic(client, account, payload, *, secret=SECRET, now=None, headers=None):
    """POST ``payload`` (an object, or raw bytes) to the account's webhook, signed."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signed = generic.sign(secret, body, now=now) if headers is None else headers
    return client.post(
        f"/hooks/{account.public_id}/", body, content_type="application/json", headers=signed
    )


def post_twilio(client, account, params, *, token=TOKEN, signature=None, public_id=None):
    """POST ``params`` form-encoded, signed as Twilio signs for this account's URL."""
    pairs = list(params.items()) if isinstance(params, dict) else list(params)
    url = accounts.webhook_url(account)
    if signature is None:
        signature = twilio.signature(token, url, pairs)
    return client.post(
        f"/hooks/{public_id or account.public_id}/", urlencode(pairs),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature} if signature else {},
    )  # fmt: skip


def twilio_sms(sid="SM" + "a" * 32, body="Is het stadskantoor morgen open?", **extra):
    return {
        "ToCountry": "NL", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid,
        "SmsStatus": "received", "Body": body, "To": "+3197010203041", "NumSegments": "1",
        "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": RESIDENT, "ApiVersion": "2010-04-01",
        **extra,
    }  # fmt: skip


def run_round() -> list[str]:
    """Run the deliveries enqueued now, as the worker would once their pause has passed;
    what each attempt came to."""
    outcomes = []
    for row in list(DBTaskResult.objects.filter(status="READY", task_path=DELIVER)):
        row.delete()
        outcomes.append(tasks.deliver_outbound.call(*row.args_kwargs["args"]))
    return outcomes


def run_deliveries(rounds: int = 20) -> int:
    """Run deliveries round after round until none is left; the number of attempts."""
    attempts = 0
    for _ in range(rounds):
        outcomes = run_round()
        if not outcomes:
            return attempts
        attempts += len(outcomes)
    raise AssertionError("deliveries still enqueued")
