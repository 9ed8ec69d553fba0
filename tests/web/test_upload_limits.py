"""Resident uploads are limited per device token and per address (count and bytes per hour),
and files uploaded but not sent per conversation: 429 in the errors' shape."""

from __future__ import annotations

import uuid

import pytest
from django.test import override_settings

from balie.conversations import actions
from balie.conversations.models import Attachment, Direction
from tests.web.test_resident_files import png_bytes, upload

pytestmark = pytest.mark.django_db

PNG = png_bytes()
ROOMY = {  # every upload limit far away, so that a test meets only the one it sets
    "LIMIT_UPLOADS_PER_TOKEN": 1000,
    "LIMIT_UPLOAD_BYTES_PER_TOKEN": 10**9,
    "LIMIT_UPLOADS_PER_IP": 1000,
    "LIMIT_UPLOAD_BYTES_PER_IP": 10**9,
    "LIMIT_UNSENT_UPLOADS": 0,
    "LIMIT_UNSENT_UPLOAD_BYTES": 0,
}


def roomy(**limits):
    return override_settings(**{**ROOMY, **limits})


def uploads(client, token, times, slug="utrecht", address="127.0.0.1"):
    client.defaults["REMOTE_ADDR"] = address
    return [upload(client, slug, token, PNG).status_code for _ in range(times)]


def assert_too_many(response, code="rate_limited", retry=True):
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == code and body["detail"] and body["fields"] == {}
    if retry:
        assert 1 <= int(response["Retry-After"]) <= 3600
    else:
        assert "Retry-After" not in response


@roomy(LIMIT_UPLOADS_PER_TOKEN=3)
def test_a_token_uploads_a_limited_number_of_files_per_hour(client, webchat):
    conversation, token = webchat

    assert uploads(client, token, 3) == [201] * 3
    assert_too_many(upload(client, "utrecht", token, PNG))
    assert Attachment.objects.filter(conversation=conversation).count() == 3


@roomy(LIMIT_UPLOAD_BYTES_PER_TOKEN=len(PNG) * 5 // 2)
def test_a_token_uploads_a_limited_number_of_bytes_per_hour(client, webchat):
    conversation, token = webchat

    assert uploads(client, token, 3) == [201, 201, 429]
    assert Attachment.objects.filter(conversation=conversation).count() == 2


@roomy(LIMIT_UPLOADS_PER_IP=3)
def test_tokens_at_one_address_share_its_upload_limit(client, utrecht_team):
    tokens = [actions.do_start_webchat(utrecht_team.organisation)[1] for _ in range(4)]

    assert [uploads(client, token, 1)[0] for token in tokens] == [201, 201, 201, 429]
    assert uploads(client, tokens[3], 1, address="192.0.2.9") == [201]  # another address


@roomy(LIMIT_UPLOAD_BYTES_PER_IP=len(PNG) * 2)
def test_ipv6_addresses_in_one_64_block_share_the_byte_limit(client, utrecht_team):
    tokens = [actions.do_start_webchat(utrecht_team.organisation)[1] for _ in range(3)]

    assert uploads(client, tokens[0], 1, address="2001:db8:5:6::1") == [201]
    assert uploads(client, tokens[1], 1, address="2001:db8:5:6:ffff::2") == [201]
    assert uploads(client, tokens[2], 1, address="2001:db8:5:6::3") == [429]
    assert uploads(client, tokens[2], 1, address="2001:db8:5:7::3") == [201]


@roomy(LIMIT_UPLOADS_PER_TOKEN=2)
def test_one_municipalitys_resident_at_the_limit_leaves_anothers_alone(
    client, webchat, groningen_webchat
):
    assert uploads(client, webchat[1], 3) == [201, 201, 429]
    assert uploads(client, groningen_webchat[1], 2, slug="groningen") == [201, 201]


@roomy(LIMIT_UNSENT_UPLOADS=2)
def test_files_waiting_unsent_in_a_conversation_are_limited_until_sent(client, webchat):
    conversation, token = webchat
    responses = [upload(client, "utrecht", token, PNG) for _ in range(3)]

    assert [r.status_code for r in responses[:2]] == [201, 201]
    assert_too_many(responses[2], "too_many_unsent_files", retry=False)
    waiting = [r.json()["attachment"]["id"] for r in responses[:2]]
    actions.do_send_message(
        conversation,
        direction=Direction.INBOUND,
        body="",
        client_id=uuid.uuid4().hex,
        attachment_ids=waiting,
    )
    assert uploads(client, token, 1) == [201]  # sent files no longer wait


@roomy(LIMIT_UNSENT_UPLOAD_BYTES=len(PNG) * 3 // 2)
def test_bytes_waiting_unsent_in_a_conversation_are_limited(client, webchat, _files_in_tmp):
    conversation, token = webchat

    assert uploads(client, token, 2) == [201, 429]
    assert Attachment.objects.filter(conversation=conversation).count() == 1
