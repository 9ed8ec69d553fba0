"""Reading real mailboxes on Dovecot: mail becomes messages once, in the right
conversation and organisation; nothing is lost when Balie stops halfway; IDLE brings mail in
as it arrives."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.management import call_command

from balie.connectors.email import imap
from balie.connectors.email.tasks import poll_all, poll_mailboxes
from balie.connectors.models import ChannelThread, ExternalMessage
from balie.conversations import actions
from balie.conversations.models import Attachment, Conversation, Direction, Message
from tests.connectors.email import mails


def inbound() -> list[Message]:
    return list(Message.objects.filter(direction=Direction.INBOUND).order_by("pk"))


def test_a_mail_becomes_a_message_in_a_new_conversation(dovecot, utrecht_mail, utrecht):
    dovecot.deliver("utrecht", mails.APPLE_PL)

    assert imap.poll_account(utrecht_mail) == {"stored": 1}

    (message,) = inbound()
    conversation = message.conversation
    assert conversation.organisation_id == utrecht.pk and conversation.channel == "email"
    assert conversation.subject == "Dziura w jezdni na ulicy Łódzkiej"
    assert conversation.contact.email == "pawel@example.pl"
    assert conversation.contact.name == "Paweł Szymański"
    assert "Proszę o naprawę." in message.body
    assert [a.filename for a in message.attachments.all()] == ["dziura.png"]
    assert "\\Seen" in dovecot.flags("utrecht")[0]
    assert imap.poll_account(utrecht_mail) == {}  # read: nothing left


def test_replies_thread_into_their_conversation_until_it_is_closed(
    dovecot, utrecht_mail, agent_anna
):
    dovecot.deliver("utrecht", mails.simple("Eerste vraag", message_id="<q1@example.nl>"))
    imap.poll_account(utrecht_mail)
    (first,) = inbound()
    # From another address, but replying to the first mail: the same conversation.
    dovecot.deliver("utrecht", mails.reply("<q1@example.nl>", "Aanvulling van mijn partner",
                                           sender="partner@example.nl"))  # fmt: skip
    imap.poll_account(utrecht_mail)
    assert {m.conversation_id for m in inbound()} == {first.conversation_id}

    actions.do_change_status(first.conversation, actor=agent_anna, status="closed")
    dovecot.deliver("utrecht", mails.reply("<q1@example.nl>", "Nog een vraag"))
    imap.poll_account(utrecht_mail)
    latest = inbound()[-1]
    assert latest.body == "Nog een vraag"
    assert latest.conversation_id != first.conversation_id


def test_a_new_subject_in_an_open_conversation_is_shown(dovecot, utrecht_mail):
    dovecot.deliver("utrecht", mails.simple("Eerste", subject="Container"))
    dovecot.deliver("utrecht", mails.simple("Tweede", subject="Re: Container"))
    dovecot.deliver("utrecht", mails.simple("Derde", subject="Parkeren"))
    imap.poll_account(utrecht_mail)
    bodies = [m.body for m in inbound()]
    assert bodies[:2] == ["Eerste", "Tweede"]
    assert bodies[2].endswith("Parkeren\n\nDerde") and bodies[2] != "Derde"


def test_the_same_mail_twice_is_one_message(dovecot, utrecht_mail):
    raw = mails.simple("Dubbel", message_id="<twice@example.nl>")
    dovecot.deliver("utrecht", raw)
    dovecot.deliver("utrecht", raw)
    imap.poll_account(utrecht_mail)
    dovecot.deliver("utrecht", raw, flags="")
    imap.poll_account(utrecht_mail)
    assert [m.body for m in inbound()] == ["Dubbel"]
    assert all("\\Seen" in flags for flags in dovecot.flags("utrecht"))


def test_a_crash_between_storing_and_marking_loses_and_doubles_nothing(
    dovecot, utrecht_mail, monkeypatch
):
    dovecot.deliver("utrecht", mails.simple("Eén", message_id="<c1@example.nl>"))
    dovecot.deliver("utrecht", mails.simple("Twee", message_id="<c2@example.nl>"))

    def crash(self, uid, flags):
        raise imap.MailboxError("connection lost")

    mark = imap.Mailbox.mark
    monkeypatch.setattr(imap.Mailbox, "mark", crash)
    with pytest.raises(imap.MailboxError):
        imap.poll_account(utrecht_mail)
    assert [m.body for m in inbound()] == ["Eén"]  # stored and committed, not marked
    assert not any("\\Seen" in flags for flags in dovecot.flags("utrecht"))

    monkeypatch.setattr(imap.Mailbox, "mark", mark)  # Balie runs again
    assert imap.poll_account(utrecht_mail) == {"stored": 2}
    assert [m.body for m in inbound()] == ["Eén", "Twee"]
    assert all("\\Seen" in flags for flags in dovecot.flags("utrecht"))


def test_a_failure_leaves_the_mail_unread_and_the_batch_goes_on(dovecot, utrecht_mail, monkeypatch):
    from balie.connectors.email import receiving

    real_take = receiving.take
    dovecot.deliver("utrecht", mails.simple("Pech", message_id="<bad@example.nl>"))
    dovecot.deliver("utrecht", mails.simple("Goed", message_id="<good@example.nl>"))

    def flaky(account, raw, **options):
        if b"<bad@example.nl>" in raw:
            raise RuntimeError("database went away")
        return real_take(account, raw, **options)

    monkeypatch.setattr(imap, "take", flaky)
    assert imap.poll_account(utrecht_mail) == {"failed": 1, "stored": 1}
    flags = dovecot.flags("utrecht")
    assert "\\Seen" not in flags[0] and "\\Seen" in flags[1]
    monkeypatch.setattr(imap, "take", real_take)
    assert imap.poll_account(utrecht_mail) == {"stored": 1}
    assert sorted(m.body for m in inbound()) == ["Goed", "Pech"]


def test_mail_without_sender_is_flagged_not_lost(dovecot, utrecht_mail):
    dovecot.deliver("utrecht", b"Subject: geen afzender\r\n\r\nwie ben ik")
    dovecot.deliver("utrecht", mails.simple("Wel een afzender"))
    assert imap.poll_account(utrecht_mail) == {"rejected": 1, "stored": 1}
    flags = dovecot.flags("utrecht")
    assert "\\Flagged" in flags[0] and "\\Seen" in flags[0]
    assert [m.body for m in inbound()] == ["Wel een afzender"]


def test_a_mail_too_large_is_announced_not_downloaded(dovecot, utrecht_mail, monkeypatch):
    monkeypatch.setattr(imap, "MAX_MAIL_BYTES", 2000)
    dovecot.deliver("utrecht", mails.simple("x" * 5000, subject="Groot"))
    assert imap.poll_account(utrecht_mail) == {"stored": 1}
    (message,) = inbound()
    assert "xxx" not in message.body and "MB" in message.body
    assert message.conversation.subject == "Groot"


def test_auto_replies_and_bounces_are_not_messages(dovecot, utrecht_mail, agent_anna, smtp):
    dovecot.deliver("utrecht", mails.simple("Vraag", message_id="<v1@example.nl>"))
    imap.poll_account(utrecht_mail)
    (question,) = inbound()
    from balie.conversations import tasks
    from tests.factories import send

    answer = send(question.conversation, "Antwoord", direction=Direction.OUTBOUND,
                  author=agent_anna)  # fmt: skip
    assert tasks.deliver_outbound.call(answer.pk) == "sent"
    sent_id = ExternalMessage.objects.get(message=answer).external_id

    dovecot.deliver("utrecht", mails.OUT_OF_OFFICE)
    dovecot.deliver("utrecht", mails.read_receipt(sent_id))
    dovecot.deliver("utrecht", mails.bounce(sent_id))
    assert imap.poll_account(utrecht_mail) == {"ignored": 1, "report": 2}

    assert inbound() == [question]  # nothing for staff to answer
    answer.refresh_from_db()
    # read first, then the bounce: a message known to be read is not failed afterwards
    assert answer.delivery_status == "read"


def test_a_bounce_fails_the_message_it_is_about(dovecot, utrecht_mail, agent_anna, smtp):
    dovecot.deliver("utrecht", mails.simple("Vraag"))
    imap.poll_account(utrecht_mail)
    from balie.conversations import tasks
    from tests.factories import send

    answer = send(inbound()[0].conversation, "Antwoord", direction=Direction.OUTBOUND,
                  author=agent_anna)  # fmt: skip
    tasks.deliver_outbound.call(answer.pk)
    sent_id = ExternalMessage.objects.get(message=answer).external_id
    dovecot.deliver("utrecht", mails.bounce(sent_id))
    imap.poll_account(utrecht_mail)
    answer.refresh_from_db()
    assert answer.delivery_status == "failed"
    assert answer.delivery_error.startswith("bounce: 5.1.1 smtp; 550 5.1.1")


def test_mail_to_one_organisation_never_lands_in_another(
    dovecot, utrecht_mail, groningen_mail, utrecht, groningen, agent_anna, smtp
):
    dovecot.deliver("utrecht", mails.simple("Voor Utrecht", message_id="<u1@example.nl>"))
    dovecot.deliver("groningen", mails.simple("Voor Groningen", message_id="<g1@example.nl>"))
    assert poll_all() == {"stored": 2}
    assert Message.objects.get(body="Voor Utrecht").organisation_id == utrecht.pk
    assert Message.objects.get(body="Voor Groningen").organisation_id == groningen.pk
    # A reply in Groningen's mailbox to Utrecht's mail starts a conversation in Groningen.
    dovecot.deliver("groningen", mails.reply("<u1@example.nl>", "Verkeerd geadresseerd"))
    poll_all(groningen.pk)
    wrong = Message.objects.get(body="Verkeerd geadresseerd")
    assert wrong.organisation_id == groningen.pk
    assert ChannelThread.objects.get(conversation=wrong.conversation).account == groningen_mail
    assert Conversation.objects.filter(organisation=utrecht).count() == 1


def test_unreachable_mailbox_is_reported_and_the_others_go_on(dovecot, utrecht_mail, groningen):
    from tests.connectors.email.conftest import add_mail_account

    add_mail_account(groningen, name="Kapot", user="groningen", imap_host="127.0.0.1",
                     imap_port="1", imap_security="ssl")  # fmt: skip
    dovecot.deliver("utrecht", mails.simple("Toch binnen"))
    assert poll_mailboxes.call() == {"stored": 1, "unavailable": 1}


def test_starttls_and_a_wrong_password(dovecot, utrecht_mail):
    from balie.connectors import accounts

    accounts.do_update_channel(
        utrecht_mail, actor=None,
        settings={"imap_security": "starttls", "imap_port": str(dovecot.imap_port)},
    )  # fmt: skip
    dovecot.deliver("utrecht", mails.simple("Via STARTTLS"))
    assert imap.poll_account(utrecht_mail) == {"stored": 1}
    accounts.do_update_channel(utrecht_mail, actor=None, secrets={"password": "wrong"})
    with pytest.raises(imap.MailboxError, match="login: error"):
        imap.poll_account(utrecht_mail)


def test_an_untrusted_certificate_is_refused(dovecot, utrecht_mail, monkeypatch, tmp_path):
    empty = tmp_path / "none.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    with pytest.raises(imap.MailboxError, match="connect: SSLCertVerificationError"):
        imap.poll_account(utrecht_mail)


def test_the_command_polls_once(dovecot, utrecht_mail, utrecht, capsys):
    dovecot.deliver("utrecht", mails.simple("Via de opdracht"))
    call_command("mail", "poll", "--once", "--organisation", utrecht.slug)
    assert "stored: 1" in capsys.readouterr().out
    call_command("mail", "poll", "--once")
    assert capsys.readouterr().out.strip() in ("No unread mail.", "Geen ongelezen mail.")


@pytest.mark.django_db(transaction=True)
def test_idle_brings_mail_in_as_it_arrives(dovecot, utrecht_mail):
    stop = threading.Event()
    watcher = threading.Thread(
        target=imap.watch, args=(utrecht_mail.pk, stop), kwargs={"idle_seconds": 3}, daemon=True
    )
    watcher.start()
    try:
        time.sleep(0.5)  # the watcher is in IDLE now (or about to be)
        for n in range(2):
            dovecot.deliver("utrecht", mails.simple(f"Live {n}"))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and len(inbound()) <= n:
                time.sleep(0.1)
        assert [m.body for m in inbound()] == ["Live 0", "Live 1"]
        time.sleep(3.5)  # IDLE ran its time and was renewed: still watching
        dovecot.deliver("utrecht", mails.simple("Na het verversen"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(inbound()) < 3:
            time.sleep(0.1)
        assert inbound()[-1].body == "Na het verversen"
    finally:
        stop.set()
        watcher.join(10)
    assert not watcher.is_alive()
    assert Attachment.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_command_keeps_watching_every_mailbox(dovecot, utrecht_mail, groningen_mail):
    from balie.connectors.email.management.commands.mail import Command

    stop = threading.Event()
    runner = threading.Thread(target=Command()._run, args=(None, stop), daemon=True)
    runner.start()
    try:
        dovecot.deliver("utrecht", mails.simple("Voor Utrecht"))
        dovecot.deliver("groningen", mails.simple("Voor Groningen"))
        deadline = time.monotonic() + 30  # a loaded machine starts the watchers late
        while time.monotonic() < deadline and len(inbound()) < 2:
            time.sleep(0.1)
        assert sorted(m.body for m in inbound()) == ["Voor Groningen", "Voor Utrecht"]
    finally:
        stop.set()
        runner.join(10)  # the watchers leave IDLE within a second or so
    assert not runner.is_alive()
