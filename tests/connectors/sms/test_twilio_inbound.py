"""Twilio's webhooks: X-Twilio-Signature over the account's webhook URL and the sorted POST
parameters, each SMS stored once (Twilio joins long ones itself), MMS files fetched from
Twilio with the account's credentials."""

from __future__ import annotations

import pytest

from balie.connectors import accounts
from balie.connectors.models import ExternalMessage
from balie.connectors.sms.providers import twilio
from balie.conversations.models import Attachment, Direction, Message
from tests.connectors.sms.conftest import ACCOUNT_SID, RESIDENT, TOKEN, post_twilio, twilio_sms
from tests.web.test_resident_files import png_bytes


def _inbound():
    return Message.objects.filter(direction=Direction.INBOUND)


def test_the_signature_matches_twilios_own_test_vectors():
    """The vectors of Twilio's request validator (twilio-python's unit tests)."""
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
        "Caller": "+14158675309",
    }
    assert twilio.signature("12345", url, list(params.items())) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    repeated = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    assert twilio.signature("12345", url, repeated) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    # The same URL with its default port written out signs differently; both are accepted.
    with_port = url.replace(".com", ".com:443")
    assert (
        twilio.signature("12345", with_port, list(params.items())) == "kvajT1Ptam85bY51eRf/AJRuM3w="
    )
    assert twilio.url_variants(url) == [url, with_port]
    assert twilio.url_variants(with_port) == [with_port, url]
    assert twilio.url_variants("http://127.0.0.1:8000/hooks/x/") == [
        "http://127.0.0.1:8000/hooks/x/"
    ]


def test_a_signed_sms_is_stored_and_answered_with_twiml(client, twilio_account):
    answer = post_twilio(client, twilio_account, twilio_sms())
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/xml")
    assert answer.content == b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
    message = _inbound().get()
    assert message.body == "Is het stadskantoor morgen open?"
    assert message.conversation.channel_thread.address == RESIDENT


def test_the_same_sms_twice_is_one_message(client, twilio_account):
    for _ in range(2):
        assert post_twilio(client, twilio_account, twilio_sms()).status_code == 200
    assert _inbound().count() == 1


def test_a_long_sms_arrives_joined_and_passes_through(client, twilio_account):
    text = "Dit is een lang bericht. " * 20
    post_twilio(client, twilio_account, twilio_sms(body=text, NumSegments="4"))
    assert _inbound().get().body == text


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("", id="missing"),
        pytest.param("GvWf1cFY/Q7PnoempGyD5oXAezc=", id="wrong"),
        pytest.param("not base64 at all é", id="garbage"),
    ],
)
def test_a_wrong_or_missing_signature_is_refused(client, twilio_account, signature):
    answer = post_twilio(client, twilio_account, twilio_sms(), signature=signature)
    assert answer.status_code == 403
    assert not Message.objects.exists() and not ExternalMessage.objects.exists()


def test_a_signature_with_another_token_is_refused(client, twilio_account):
    answer = post_twilio(client, twilio_account, twilio_sms(), token="f" * 32)
    assert answer.status_code == 403 and not Message.objects.exists()


def test_a_signature_for_another_url_is_refused(client, twilio_account, settings):
    """Twilio signs the URL it called: BALIE_PUBLIC_URL must be that address."""
    settings.PUBLIC_URL = "https://balie.example.nl"
    signed_elsewhere = twilio.signature(
        TOKEN,
        f"http://127.0.0.1:8000/hooks/{twilio_account.public_id}/",
        list(twilio_sms().items()),
    )
    answer = post_twilio(client, twilio_account, twilio_sms(), signature=signed_elsewhere)
    assert answer.status_code == 403
    assert post_twilio(client, twilio_account, twilio_sms()).status_code == 200


def test_a_changed_parameter_breaks_the_signature(client, twilio_account):
    signed = twilio.signature(
        TOKEN, accounts.webhook_url(twilio_account), list(twilio_sms().items())
    )
    answer = post_twilio(client, twilio_account, twilio_sms(body="Iets anders"), signature=signed)
    assert answer.status_code == 403 and not Message.objects.exists()


def test_another_twilio_account_is_refused(client, twilio_account):
    answer = post_twilio(client, twilio_account, twilio_sms(AccountSid="AC" + "f" * 32))
    assert answer.status_code == 400 and not Message.objects.exists()


def test_a_sender_that_is_no_number_is_refused(client, twilio_account):
    answer = post_twilio(client, twilio_account, twilio_sms(From="whatsapp:+31612345678"))
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_phone_number"
    assert not Message.objects.exists()


def test_mms_files_are_fetched_with_the_accounts_credentials(client, twilio_account, fake_twilio):
    png = png_bytes()
    fake_twilio.media["ME" + "1" * 32] = ("image/png", png)
    sid = "MM" + "b" * 32
    params = twilio_sms(
        sid=sid, body="Foto van de losliggende stoeptegel", NumMedia="1",
        MediaUrl0=fake_twilio.media_url(sid, "ME" + "1" * 32), MediaContentType0="image/png",
    )  # fmt: skip
    assert post_twilio(client, twilio_account, params).status_code == 200
    message = _inbound().get()
    assert [a.filename for a in message.attachments.all()] == ["mms-1.png"]
    assert message.body == "Foto van de losliggende stoeptegel"
    post_twilio(client, twilio_account, params)  # again: nothing fetched, nothing stored
    assert fake_twilio.media_fetches == 1 and Attachment.objects.count() == 1
    assert fake_twilio.violations == []


def test_an_mms_file_that_cannot_be_fetched_is_named_in_the_text(
    client, twilio_account, fake_twilio, settings
):
    settings.MAX_UPLOAD_BYTES = 1000
    fake_twilio.media["ME" + "2" * 32] = ("image/jpeg", b"\xff\xd8" + b"x" * 5000)
    sid = "MM" + "c" * 32
    params = twilio_sms(
        sid=sid, body="Twee foto's", NumMedia="3",
        MediaUrl0=fake_twilio.media_url(sid, "ME" + "2" * 32), MediaContentType0="image/jpeg",
        MediaUrl1=fake_twilio.media_url(sid, "ME" + "3" * 32), MediaContentType1="image/png",
        MediaUrl2="https://elders.example.com/foto.png", MediaContentType2="image/png",
    )  # fmt: skip
    assert post_twilio(client, twilio_account, params).status_code == 200
    message = _inbound().get()
    assert not message.attachments.exists()
    first, *notes = message.body.splitlines()
    assert first == "Twee foto's"
    assert [n.split(":")[0] for n in notes] == ["[mms-1.jpg", "[mms-2.png", "[mms-3.png"]
    assert all(n.endswith("]") and len(n) > 20 for n in notes)
    # Too large (stopped reading) and not there (404) were asked; another host never.
    assert fake_twilio.media_fetches == 2


def test_a_twilio_account_and_the_generic_one_do_not_mix(client, twilio_account, generic_account):
    answer = post_twilio(client, twilio_account, twilio_sms(), public_id=generic_account.public_id)
    assert answer.status_code == 403 and not Message.objects.exists()


def test_status_callbacks_need_the_signature_too(client, twilio_account):
    params = {
        "MessageSid": "SM" + "d" * 32,
        "MessageStatus": "delivered",
        "AccountSid": ACCOUNT_SID,
    }
    assert post_twilio(client, twilio_account, params, signature="").status_code == 403
    assert post_twilio(client, twilio_account, params).status_code == 204
