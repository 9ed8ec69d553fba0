"""Malformed webhooks: whatever a signed body holds, the parsers either read it or refuse it
with a 400 (``balie.errors.Invalid``), never with anything else, and a refused webhook
stores nothing."""

from __future__ import annotations

import json
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from balie.connectors.models import ExternalMessage
from balie.connectors.registry import WebhookRequest
from balie.connectors.sms.models import EarlyReport, SmsPart
from balie.connectors.sms.providers.base import InboundSms, Report
from balie.connectors.sms.providers.generic import parse_body
from balie.connectors.sms.providers.twilio import Twilio
from balie.conversations.models import Message
from balie.errors import Invalid
from tests.connectors.sms.conftest import ACCOUNT_SID, post_generic, post_twilio, sms, twilio_sms

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
GENERIC_KEYS = ["id", "from", "to", "text", "received_at", "part", "status", "error"]


@st.composite
def mutated_generic(draw) -> bytes:
    """A valid SMS or report with some of its fields replaced, removed or added."""
    payload = draw(st.sampled_from([
        sms(part=(1, 1, 2)), sms(), {"id": "gw-1", "status": "delivered"},
        {"id": "gw-1", "status": "failed", "error": "x"},
    ]))  # fmt: skip
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(GENERIC_KEYS))
        if draw(st.booleans()):
            payload.pop(key, None)
        else:
            payload[key] = draw(json_values)
    if isinstance(payload.get("part"), dict) and draw(st.booleans()):
        payload["part"][draw(st.sampled_from(["ref", "index", "total"]))] = draw(json_values)
    return json.dumps(payload).encode()


generic_bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated_generic(),
    st.sampled_from(
        [
            b"",
            b"{",
            b'{"id": "a", "id": "b"}',
            b"NaN",
            b'{"id": NaN}',
            b'{"id": "\\ud800"}',
            b"\xff\xfe{}",
            b"[" * 5000,
        ]
    ),  # fmt: skip
)


@given(generic_bodies)
@settings(max_examples=400, deadline=None)
def test_the_generic_parser_reads_or_refuses_with_400(body):
    try:
        parsed = parse_body(body)
    except Invalid as refused:
        assert refused.status == 400 and refused.code
    else:
        assert isinstance(parsed, InboundSms | Report)
        assert parsed.external_id and "\x00" not in parsed.external_id


twilio_keys = st.sampled_from([
    "MessageSid", "SmsSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaContentType0",
    "MessageStatus", "ErrorCode", "AccountSid",
])  # fmt: skip


@st.composite
def mutated_twilio(draw) -> list[tuple[str, str]]:
    params = draw(st.sampled_from([
        twilio_sms(), {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"},
        twilio_sms(NumMedia="1", MediaUrl0="https://api.twilio.com/x"),
    ]))  # fmt: skip
    for _ in range(draw(st.integers(1, 3))):
        key = draw(twilio_keys)
        if draw(st.booleans()):
            params.pop(key, None)
        else:
            params[key] = draw(st.text(max_size=40))
    pairs = list(params.items())
    if draw(st.booleans()):
        pairs.append((draw(twilio_keys), draw(st.text(max_size=5))))
    return pairs


def _form(pairs) -> bytes:
    return urlencode(pairs, errors="surrogatepass").encode("utf-8", "surrogatepass")


twilio_bodies = st.one_of(
    st.binary(max_size=200),
    mutated_twilio().map(_form),
    st.sampled_from([b"", b"=", b"&&", b"Body=%ff", b"Body=%00", b"a" * 10 + b"=" * 10]),
)
ACCOUNT = SimpleNamespace(settings={"provider": "twilio", "account_sid": ACCOUNT_SID})


@given(twilio_bodies, st.sampled_from(["application/x-www-form-urlencoded", "text/plain", ""]))
@settings(max_examples=400, deadline=None)
def test_the_twilio_parser_reads_or_refuses_with_400(body, content_type):
    request = WebhookRequest("POST", {"content-type": content_type}, {}, body)
    try:
        parsed = Twilio().parse(ACCOUNT, request)
    except Invalid as refused:
        assert refused.status == 400 and refused.code
    else:
        assert isinstance(parsed, InboundSms | Report)


def _stored() -> tuple[int, ...]:
    return (
        Message.objects.count(),
        ExternalMessage.objects.count(),
        SmsPart.objects.count(),
        EarlyReport.objects.count(),
    )


FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.mark.django_db
@given(body=generic_bodies)
@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURES)
def test_a_malformed_generic_webhook_is_a_400_and_stores_nothing(client, generic_account, body):
    before = _stored()
    answer = post_generic(client, generic_account, body)
    assert answer.status_code in (200, 400)
    if answer.status_code == 400:
        assert _stored() == before
        assert set(answer.json()) == {"code", "detail"}


@pytest.mark.django_db
@given(pairs=mutated_twilio())
@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURES)
def test_a_malformed_twilio_webhook_is_a_400_and_stores_nothing(client, twilio_account, pairs):
    assume(all(c < "\ud800" or c > "\udfff" for k, v in pairs for c in k + v))
    before = _stored()
    answer = post_twilio(client, twilio_account, pairs)
    assert answer.status_code in (200, 204, 400)
    if answer.status_code == 400:
        assert _stored() == before
