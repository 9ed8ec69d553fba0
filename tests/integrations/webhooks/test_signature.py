"""A receiver can verify the signature with only the documented recipe.

``verify`` below is written from the webhooks guide alone (the headers, HMAC-SHA256 over
"<timestamp>.<raw body>" with the whole secret as UTF-8 key, lowercase hex, ``v1=`` parts
separated by commas, constant-time comparison, 300 seconds of tolerance): it does not use
Balie's own signing code.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from balie.integrations.webhooks.models import Subscription
from balie.integrations.webhooks.subscriptions import do_rotate_secret
from tests.factories import send
from tests.integrations.webhooks.conftest import run_tasks

pytestmark = pytest.mark.django_db

TOLERANCE = 300  # seconds


def verify(secret: str, headers, body: bytes, now: float | None = None) -> bool:
    """The guide's recipe: True when the request comes from Balie."""
    timestamp = headers.get("Balie-Webhook-Timestamp", "")
    signatures = headers.get("Balie-Webhook-Signature", "")
    moment = time.time() if now is None else now
    if not timestamp.isdigit() or abs(moment - int(timestamp)) > TOLERANCE:
        return False
    message = timestamp.encode("ascii") + b"." + body
    expected = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return any(
        hmac.compare_digest(part.strip().removeprefix("v1="), expected)
        for part in signatures.split(",")
    )


@pytest.fixture
def one_request(webchat, subscribed, receiver):
    conversation, _token = webchat
    send(conversation, "Hallo, mijn paspoort is verlopen")
    run_tasks()
    (request,) = [r for r in receiver.received if r.event["type"] == "nl.balie.message.created"]
    return request


def test_a_receiver_verifies_the_signature_with_the_documented_recipe(one_request, subscribed):
    _subscription, secret = subscribed
    headers = one_request.headers
    assert headers["Content-Type"] == "application/cloudevents+json; charset=utf-8"
    assert headers["Balie-Webhook-Signature"].startswith("v1=")
    assert verify(secret, headers, one_request.body)


def test_a_changed_body_a_wrong_secret_or_an_old_request_is_refused(one_request, subscribed):
    _subscription, secret = subscribed
    headers, body = one_request.headers, one_request.body
    assert not verify(secret, headers, body.replace(b'"inbound"', b'"outbound"'))
    assert not verify(secret + "x", headers, body)
    assert not verify("whsec_" + "A" * 43, headers, body)
    sent_at = int(headers["Balie-Webhook-Timestamp"])
    assert verify(secret, headers, body, now=sent_at + TOLERANCE - 1)
    assert not verify(secret, headers, body, now=sent_at + TOLERANCE + 1)  # replayed later
    assert not verify(secret, {**headers, "Balie-Webhook-Timestamp": str(sent_at + 1)}, body)
    assert not verify(secret, {}, body)


def test_after_a_rotation_with_overlap_both_secrets_verify_for_a_day(
    webchat, subscribed, receiver, admin_ada
):
    subscription, old = subscribed
    new = do_rotate_secret(subscription, actor=admin_ada, overlap=True)
    assert new != old
    conversation, _token = webchat
    send(conversation, "Eerste bericht na de wissel")
    run_tasks()
    latest = receiver.received[-1]
    assert latest.headers["Balie-Webhook-Signature"].count("v1=") == 2
    assert verify(new, latest.headers, latest.body)
    assert verify(old, latest.headers, latest.body)

    Subscription.objects.filter(pk=subscription.pk).update(
        previous_until=timezone.now() - timedelta(seconds=1)
    )  # the day has passed
    send(conversation, "Een dag later")
    run_tasks()
    later = receiver.received[-1]
    assert later.headers["Balie-Webhook-Signature"].count("v1=") == 1
    assert verify(new, later.headers, later.body)
    assert not verify(old, later.headers, later.body)


def test_a_rotation_without_overlap_stops_the_old_secret_at_once(
    webchat, subscribed, receiver, admin_ada
):
    subscription, old = subscribed
    new = do_rotate_secret(subscription, actor=admin_ada, overlap=False)
    conversation, _token = webchat
    send(conversation, "Na een gelekt geheim")
    run_tasks()
    latest = receiver.received[-1]
    assert verify(new, latest.headers, latest.body)
    assert not verify(old, latest.headers, latest.body)


# The guide's example request, signed with its example secret.
GUIDE_SECRET = "whsec_VoorbeeldGeheimNietGebruiken0123456789abcdef"
GUIDE_TIMESTAMP = "1767348000"
GUIDE_SIGNATURE = "v1=c1d45006c49646856419dae2ca24d85a48be103ada49b76602125e7ee3d3c764"
GUIDE_BODY = (
    b'{"specversion":"1.0","type":"nl.balie.message.created","source":"urn:nld:oin:'
    b'00000001002220647000:systeem:balie","id":"3-1042","time":"2026-01-02T10:00:00.123456Z",'
    b'"subject":"conversations/87/messages/5521","dataref":"https://balie.utrecht.nl/api/v1/'
    b'conversations/87/messages/?after_seq=11&limit=1","sequence":"00000000000000001042",'
    b'"datacontenttype":"application/json","data":{"organisation":"utrecht","conversation":87,'
    b'"message":5521,"message_seq":12,"direction":"inbound","attachments":0}}'
)


def test_the_guides_example_verifies_and_balie_signs_it_so():
    headers = {
        "Balie-Webhook-Timestamp": GUIDE_TIMESTAMP,
        "Balie-Webhook-Signature": GUIDE_SIGNATURE,
    }  # noqa: E501
    assert verify(GUIDE_SECRET, headers, GUIDE_BODY, now=int(GUIDE_TIMESTAMP) + 2)
    from balie.integrations.webhooks.signing import signed_headers

    assert signed_headers([GUIDE_SECRET], int(GUIDE_TIMESTAMP), GUIDE_BODY) == headers
