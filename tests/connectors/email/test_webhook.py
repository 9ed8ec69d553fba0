"""Mail posted to the webhook by a mail gateway: signed with the account's secret, taken
once, answered with what became of it; everything else refused without storing."""

from __future__ import annotations

import pytest

from balie.connectors import accounts
from balie.connectors.email.webhook import signature
from balie.conversations.models import Message
from tests.connectors.email import mails
from tests.connectors.email.conftest import WEBHOOK_SECRET, add_mail_account


def post(client, account, raw, *, secret=WEBHOOK_SECRET, content_type="message/rfc822", **extra):
    headers = {"HTTP_X_BALIE_SIGNATURE": signature(secret, raw)} if secret else {}
    return client.post(
        f"/hooks/{account.public_id}/", raw, content_type=content_type, **headers, **extra
    )


def test_a_signed_mail_is_stored_once(client, webhook_mail, utrecht):
    raw = mails.simple("Via de gateway", message_id="<gw1@example.nl>")
    for _ in range(2):
        answer = post(client, webhook_mail, raw)
        assert answer.status_code == 200 and answer.json() == {"outcome": "stored"}
    (message,) = Message.objects.all()
    assert message.body == "Via de gateway" and message.organisation_id == utrecht.pk


@pytest.mark.parametrize(
    ("secret", "header"),
    [
        ("another-secret", None),
        (None, None),
        (None, "sha256=" + "0" * 64),
        (None, "sha256=ÿ-not-ascii"),
    ],
)
def test_a_wrong_signature_is_refused(client, webhook_mail, secret, header):
    raw = mails.simple("Vervalst")
    extra = {"HTTP_X_BALIE_SIGNATURE": header} if header else {}
    answer = post(client, webhook_mail, raw, secret=secret, **extra)
    assert answer.status_code == 401 and answer.json()["code"] == "bad_signature"
    assert not Message.objects.exists()


def test_a_signature_over_other_bytes_is_refused(client, webhook_mail):
    raw = mails.simple("Origineel")
    answer = client.post(
        f"/hooks/{webhook_mail.public_id}/", raw + b"extra", content_type="message/rfc822",
        HTTP_X_BALIE_SIGNATURE=signature(WEBHOOK_SECRET, raw),
    )  # fmt: skip
    assert answer.status_code == 401 and not Message.objects.exists()


def test_other_methods_types_and_an_account_without_secret(client, webhook_mail, utrecht):
    raw = mails.simple("Hallo")
    assert post(client, webhook_mail, raw, content_type="application/json").status_code == 415
    assert client.get(f"/hooks/{webhook_mail.public_id}/").status_code == 405
    without = accounts.do_add_channel(
        utrecht.pk, actor=None, kind="email", name="Zonder webhook",
        settings={"address": "info@utrecht.example.nl", "smtp_host": "smtp.example.nl"},
        secrets={},
    )  # fmt: skip
    assert post(client, without, raw).status_code == 404
    assert not Message.objects.exists()


def test_a_mail_balie_does_not_take_gets_a_clear_error(client, webhook_mail):
    answer = post(client, webhook_mail, b"Subject: zonder afzender\r\n\r\nwie?")
    assert answer.status_code == 422
    assert answer.json()["code"] == "no_sender" and answer.json()["detail"]
    assert not Message.objects.exists()


def test_automatic_mail_is_answered_but_not_stored(client, webhook_mail):
    assert post(client, webhook_mail, mails.OUT_OF_OFFICE).json() == {"outcome": "ignored"}
    assert post(client, webhook_mail, mails.bounce("<x@y>")).json() == {"outcome": "report"}
    own = mails.simple("Eigen mail terug", sender="balie@utrecht.example.nl")
    assert post(client, webhook_mail, own).json() == {"outcome": "ignored"}
    assert not Message.objects.exists()


def test_an_accounts_secret_opens_only_its_own_webhook(
    client, webhook_mail, groningen, groningen_team
):
    groningen_mail = add_mail_account(groningen, name="Groningen", user="groningen")
    accounts.do_update_channel(
        groningen_mail, actor=None, secrets={"webhook_secret": "groningen-secret-1234"}
    )
    raw = mails.simple("Voor Groningen")
    assert post(client, groningen_mail, raw).status_code == 401  # Utrecht's secret
    assert post(client, groningen_mail, raw, secret="groningen-secret-1234").status_code == 200
    assert Message.objects.get().organisation_id == groningen.pk
