"""Taking one mail into Balie, from the mailbox or the webhook: a resident's mail becomes a
message in their conversation (:func:`~balie.connectors.inbound.do_receive`, once per
Message-ID); a delivery report or read receipt updates the outbound message it is about;
other automatic mail and Balie's own mail coming back are left alone."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from django.utils.translation import gettext

from balie.connectors.email.config import mail_settings
from balie.connectors.email.headers import base_subject
from balie.connectors.email.parsing import ParsedMail, parse_mail
from balie.connectors.inbound import Inbound, do_channel_status, do_receive
from balie.connectors.models import ChannelAccount, ChannelThread, ExternalMessage
from balie.conversations.models import Conversation, Message, Status

__all__ = ["Taken", "take"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Taken:
    """What became of a mail: "stored" (``message``), "report" or "ignored"."""

    outcome: str
    message: Message | None = None
    reason: str = ""


def take(account: ChannelAccount, raw: bytes, *, oversized: int | None = None) -> Taken:
    """Take one mail; :class:`~balie.connectors.email.parsing.MailRejected` when it cannot
    be (the caller keeps it: flagged in the mailbox, an error to the webhook's sender)."""
    mail = parse_mail(raw, oversized=oversized)
    own = mail_settings(account).address
    if mail.report is not None:
        _apply(account, mail)
        return Taken("report", reason=mail.automatic)
    if mail.address == own:  # a Reply-To naming Balie's own mailbox: answer the author
        mail = replace(mail, address=mail.from_address)
    if mail.automatic or mail.address in (own, ""):
        reason = mail.automatic or "own-address"
        log.info("e-mail left alone", extra={"account": account.pk, "reason": reason})
        return Taken("ignored", reason=reason)
    body = mail.body
    if line := _subject_line(account, mail):
        body = f"{line}\n\n{body}".strip()
    message = do_receive(
        account,
        Inbound(
            external_id=mail.message_id, address=mail.address, body=body, name=mail.name,
            files=mail.files, thread=mail.thread, sent_at=mail.sent_at, subject=mail.subject,
        ),
    )  # fmt: skip
    return Taken("stored", message)


def _apply(account: ChannelAccount, mail: ParsedMail) -> None:
    """A delivery report or read receipt: to the answer(s) of this account it is about."""
    assert mail.report is not None
    status, changed = mail.report.status, 0
    error = f"bounce: {mail.report.detail}" if mail.report.detail else "bounce"
    for original in mail.report.original_ids if status else ():
        changed += do_channel_status(
            account, original, status, error=error if status == "failed" else ""
        )
    log.info(
        "e-mail report",
        extra={"account": account.pk, "reason": mail.automatic, "status": status,
               "changed": changed},
    )  # fmt: skip


def _landing(account: ChannelAccount, mail: ParsedMail) -> Conversation | None:
    """The open conversation the mail will most likely land in (as ``do_receive`` decides:
    the one it replies to, else the address's), only to compare subjects."""
    if mail.thread:
        earlier = (
            ExternalMessage.objects.filter(account=account, external_id__in=mail.thread)
            .exclude(message__conversation__status=Status.CLOSED)
            .select_related("message__conversation")
            .order_by("-created_at")
            .first()
        )
        if earlier is not None:
            return earlier.message.conversation
    thread = (
        ChannelThread.objects.filter(account=account, address=mail.address)
        .exclude(conversation__status=Status.CLOSED)
        .select_related("conversation")
        .order_by("-created_at")
        .first()
    )
    return thread.conversation if thread else None


def _subject_line(account: ChannelAccount, mail: ParsedMail) -> str:
    """ "Subject: …" when the mail joins a conversation about something else."""
    if not mail.subject:
        return ""
    conversation = _landing(account, mail)
    if conversation is None or not conversation.subject:
        return ""  # a new conversation: the subject becomes the conversation's
    if base_subject(conversation.subject) == base_subject(mail.subject):
        return ""
    return gettext("Subject: %(subject)s") % {"subject": mail.subject}
