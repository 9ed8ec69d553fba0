"""Answers go out through a real SMTP server (aiosmtpd) with the headers that make them one
thread in the resident's mail program, and the delivery task's retries deliver them once."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.utils import translation
from django.utils.translation import gettext

from balie.connectors import accounts
from balie.connectors.email import smtp as outgoing
from balie.connectors.email.receiving import take
from balie.connectors.models import ExternalMessage
from balie.conversations import actions, tasks
from balie.conversations.models import DeliveryStatus, Direction, Message
from tests.connectors.email import mails, servers
from tests.connectors.email.conftest import add_mail_account
from tests.factories import pdf_document, send


@pytest.fixture
def webhook_account(utrecht, utrecht_team, smtp):
    return add_mail_account(utrecht, name="Balie Utrecht", user="utrecht", smtp=smtp)


def received(smtp) -> list:
    return [
        (sender, recipients, email.message_from_bytes(raw, policy=policy.default))
        for sender, recipients, raw in smtp.received
    ]


def question(account, **options):
    options.setdefault("message_id", "<q1@example.nl>")
    raw = mails.simple("Wanneer wordt mijn container geleegd?", subject="Container", **options)
    return take(account, raw).message


def answer(conversation, agent, body="Morgen, vóór 12 uur.", **options):
    return send(conversation, body, direction=Direction.OUTBOUND, author=agent, **options)


def test_an_answer_is_a_reply_in_the_residents_thread(webhook_account, agent_anna, smtp):
    first = question(webhook_account)
    take(webhook_account, mails.reply("<q1@example.nl>", "Nog iets", message_id="<q2@example.nl>"))
    reply = answer(first.conversation, agent_anna)

    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.SENT

    ((sender, recipients, mail),) = received(smtp)
    assert sender == "balie@utrecht.example.nl" and recipients == ["jan@example.nl"]
    assert mail["From"].addresses[0].display_name == "Gemeente Utrecht"
    assert mail["From"].addresses[0].addr_spec == "balie@utrecht.example.nl"
    assert str(mail["To"]) == "jan@example.nl"
    assert str(mail["Reply-To"]) == "balie@utrecht.example.nl"
    assert str(mail["Subject"]) == "Re: Container"
    assert str(mail["In-Reply-To"]) == "<q2@example.nl>"
    assert str(mail["References"]).split() == ["<q1@example.nl>", "<q2@example.nl>"]
    assert mail.get_content().strip() == "Morgen, vóór 12 uur."
    assert mail["Date"] is not None
    message_id = str(mail["Message-ID"]).strip()
    assert message_id.endswith(".balie@utrecht.example.nl>")
    assert ExternalMessage.objects.get(message=reply, inbound=False).external_id == message_id

    # The resident answers Balie's mail: the same conversation.
    back = take(webhook_account, mails.reply(message_id, "Dank u", sender="jan@example.nl"))
    assert back.message.conversation_id == first.conversation_id


def test_a_file_from_staff_goes_along(webhook_account, agent_anna, smtp):
    conversation = question(webhook_account).conversation
    pdf = actions.do_store_attachment(
        conversation, data=pdf_document(), filename="besluit.pdf", uploaded_by=agent_anna
    )
    reply = actions.do_send_message(
        conversation, direction=Direction.OUTBOUND, body="Zie bijlage.", client_id="with-file-1",
        author=agent_anna, attachment_ids=[pdf.pk],
    ).message  # fmt: skip
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.SENT
    ((_, _, mail),) = received(smtp)
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "besluit.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf_document()


def test_subject_without_one_and_non_ascii_names(utrecht, utrecht_team, smtp, agent_anna):
    account = add_mail_account(utrecht, name="Balie", user="utrecht", smtp=smtp,
                               from_name="Gemeente Utrecht – Balie")  # fmt: skip
    raw = mails.simple("Hallo", subject="", sender="=?utf-8?q?Zo=C3=AB?= <zoe@example.nl>")
    conversation = take(account, raw).message.conversation
    assert conversation.subject == ""
    tasks.deliver_outbound.call(answer(conversation, agent_anna).pk)
    ((_, _, mail),) = received(smtp)
    with translation.override("nl"):  # the conversation's language
        expected = gettext("Your message to %(organisation)s") % {"organisation": utrecht.name}
    assert str(mail["Subject"]) == expected
    assert mail["From"].addresses[0].display_name == "Gemeente Utrecht – Balie"


def test_the_message_id_is_stable_and_not_guessable(webhook_account, agent_anna, settings):
    reply = answer(question(webhook_account).conversation, agent_anna)
    one = outgoing.message_id_for(reply, "utrecht.example.nl")
    assert one == outgoing.message_id_for(reply, "utrecht.example.nl")
    assert re.fullmatch(r"<[0-9a-f]{32}\.balie@utrecht\.example\.nl>", one)
    assert reply.client_id not in one
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert outgoing.message_id_for(reply, "utrecht.example.nl") != one


def test_an_outage_is_retried_and_delivered_once(webhook_account, agent_anna, smtp):
    reply = answer(question(webhook_account).conversation, agent_anna)
    smtp.stop()

    assert tasks.deliver_outbound.call(reply.pk) == "retrying"
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.PENDING
    assert reply.delivery_error.startswith("smtp_unavailable: ConnectionRefusedError")

    smtp.start()  # the server is back on the same port
    assert tasks.deliver_outbound.call(reply.pk, 2) == DeliveryStatus.SENT
    assert tasks.deliver_outbound.call(reply.pk, 3) == DeliveryStatus.SENT  # a stray retry
    assert len(smtp.received) == 1


def test_a_refused_recipient_fails_at_once_a_busy_one_is_retried(webhook_account, agent_anna, smtp):
    conversation = question(webhook_account).conversation
    smtp.refuse = "550 5.1.1 <jan@example.nl>: user unknown"
    reply = answer(conversation, agent_anna)
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.FAILED
    reply.refresh_from_db()
    assert reply.delivery_error == "recipient_refused: 550 5.1.1 <jan@example.nl>: user unknown"

    smtp.refuse = "451 4.3.0 try again later"
    busy = answer(conversation, agent_anna, body="Tweede poging")
    assert tasks.deliver_outbound.call(busy.pk) == "retrying"
    assert not smtp.received


def test_starttls_with_login_and_implicit_tls(utrecht, utrecht_team, agent_anna, certificates):
    servers.smtp_available()
    secure = servers.Smtp(certificates=certificates, login=("utrecht", servers.PASSWORD))
    secure.start()
    tls = servers.Smtp(certificates=certificates, implicit_tls=True)
    tls.start()
    try:
        account = add_mail_account(utrecht, name="Veilig", user="utrecht", smtp=secure,
                                   smtp_host="localhost", smtp_security="starttls")  # fmt: skip
        reply = answer(question(account).conversation, agent_anna)
        assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.SENT
        assert len(secure.received) == 1

        accounts.do_update_channel(account, actor=None, secrets={"password": "wrong"})
        again = answer(reply.conversation, agent_anna, body="Met fout wachtwoord")
        assert tasks.deliver_outbound.call(again.pk) == "retrying"
        again.refresh_from_db()
        assert again.delivery_error.startswith("smtp_login: 535")

        accounts.do_update_channel(account, actor=None, settings={
            "smtp_security": "ssl", "smtp_port": str(tls.port)})  # fmt: skip
        third = answer(reply.conversation, agent_anna, body="Via SSL")
        assert tasks.deliver_outbound.call(third.pk) == DeliveryStatus.SENT
        assert len(tls.received) == 1
    finally:
        secure.stop()
        tls.stop()


def test_an_untrusted_server_certificate_is_not_sent_to(
    utrecht, utrecht_team, agent_anna, certificates, monkeypatch, tmp_path
):
    servers.smtp_available()
    secure = servers.Smtp(certificates=certificates)
    secure.start()
    try:
        account = add_mail_account(utrecht, name="Veilig", user="utrecht", smtp=secure,
                                   smtp_host="localhost", smtp_security="starttls")  # fmt: skip
        reply = answer(question(account).conversation, agent_anna)
        (tmp_path / "empty.pem").write_text("")
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "empty.pem"))
        monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
        assert tasks.deliver_outbound.call(reply.pk) == "retrying"
        reply.refresh_from_db()
        assert reply.delivery_error.startswith("smtp_tls: SSLCertVerificationError")
        assert not secure.received
    finally:
        secure.stop()


def test_nothing_is_sent_for_notes_or_other_channels(webhook_account, agent_anna, smtp):
    conversation = question(webhook_account).conversation
    send(conversation, "Interne notitie", direction=Direction.NOTE, author=agent_anna)
    assert not smtp.received
    assert Message.objects.filter(delivery_status=DeliveryStatus.PENDING).count() == 0


def test_an_international_address_is_answered_with_smtputf8(webhook_account, agent_anna, smtp):
    raw = mails.simple("Merhaba", sender="=?utf-8?q?Ay=C5=9Fe?= <ayşe@örnek.example>")
    conversation = take(webhook_account, raw).message.conversation
    assert conversation.contact.email == "ayşe@örnek.example"
    reply = answer(conversation, agent_anna, body="Günaydın")
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.SENT
    ((_, recipients, mail),) = received(smtp)
    assert recipients == ["ayşe@örnek.example"]
    assert mail.get_content().strip() == "Günaydın"
