"""Sending what staff wrote as a mail, over SMTP with TLS.

Each outbound message gets a Message-ID that Balie derives from the message (a keyed hash:
the same on every attempt, unguessable from outside); it is the message's external id, so a
reply that names it in In-Reply-To or References lands in the same conversation, and a
bounce that quotes it fails the right message. In-Reply-To names the resident's last mail
in the conversation, References the conversation's mails (the last 20), so the resident's
mail program shows one thread. The mail is plain text (UTF-8) with the message's files;
From and Reply-To are the account's address, the subject "Re: " and the conversation's.

What the server answers decides what the delivery task does: a permanent refusal (5xx) of
the recipient, sender or content fails the message at once, anything else (no connection,
4xx, a login or TLS problem) is tried again later (``conversations.tasks``).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from balie.connectors.accounts import secret_of
from balie.connectors.email.config import MailSettings, Server, mail_settings
from balie.connectors.email.headers import base_subject, clean_text
from balie.connectors.models import ChannelAccount, ExternalMessage
from balie.conversations.blobs import open_blob
from balie.conversations.models import Message
from balie.conversations.tasks import DeliveryFailed

__all__ = ["build_mail", "message_id_for", "send_mail"]

TIMEOUT = 30.0  # seconds for each step of the conversation with the server
MAX_REFERENCES = 20
MAX_DETAIL = 200


def message_id_for(message: Message, domain: str) -> str:
    key = f"{message.organisation_id}:{message.pk}:{message.client_id}"
    digest = salted_hmac("balie.connectors.email.message-id", key, algorithm="sha256")
    return f"<{digest.hexdigest()[:32]}.balie@{_ascii_domain(domain)}>"


def _ascii_domain(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "balie.invalid"


def _subject(message: Message) -> str:
    conversation = message.conversation
    subject = conversation.subject
    if not subject:
        with translation.override(conversation.language):
            subject = gettext("Your message to %(organisation)s") % {
                "organisation": conversation.organisation.name
            }
        return subject
    if base_subject(subject) != subject.casefold().strip():
        return subject  # already "Re: …" (or another prefix)
    return f"Re: {subject}"


def _thread(account: ChannelAccount, message: Message) -> tuple[str, list[str]]:
    """(In-Reply-To, References) from the conversation's mails stored so far."""
    known = list(
        ExternalMessage.objects.filter(
            account=account, message__conversation=message.conversation_id
        )
        .exclude(message=message)
        .exclude(external_id__startswith="<sha256.")  # ids Balie made up, no mail has them
        .order_by("message__seq", "pk")
        .values_list("external_id", "inbound")
    )
    replying_to = next((i for i, inbound in reversed(known) if inbound), "")
    return replying_to, [i for i, _ in known][-MAX_REFERENCES:]


def build_mail(account: ChannelAccount, message: Message, *, address: str) -> EmailMessage:
    settings = mail_settings(account)
    mail = EmailMessage()
    mail["From"] = formataddr((clean_text(settings.from_name), settings.address))
    mail["To"] = address
    mail["Reply-To"] = settings.address
    mail["Subject"] = _subject(message)
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id_for(message, settings.domain)
    replying_to, references = _thread(account, message)
    if replying_to:
        mail["In-Reply-To"] = replying_to
    if references:
        mail["References"] = " ".join(references)
    mail.set_content(message.body or "", charset="utf-8")
    for attachment in message.attachments.all():
        sha256 = attachment.display_sha256 or attachment.sha256  # images without metadata
        with open_blob(sha256) as blob:
            data = blob.read()
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return mail


def send_mail(account: ChannelAccount, message: Message, *, address: str) -> str:
    """Send ``message`` to ``address``; return its Message-ID."""
    mail = build_mail(account, message, address=address)
    settings = mail_settings(account)
    submit(settings, secret_of(account, "password"), mail, address)
    return str(mail["Message-ID"])


def _connect(server: Server) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if server.security == "ssl":
        return smtplib.SMTP_SSL(server.host, server.port, context=context, timeout=TIMEOUT)
    smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
    try:
        smtp.ehlo()
        if server.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """Log in once with PLAIN or LOGIN where offered (``smtplib.login`` would try every
    mechanism after a refusal, and some servers then hang up or wait)."""
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    mechanism = next((m for m in ("PLAIN", "LOGIN") if m in offered), None)
    if mechanism is None:
        smtp.login(username, password)
        return
    smtp.user, smtp.password = username, password
    smtp.auth(mechanism, smtp.auth_plain if mechanism == "PLAIN" else smtp.auth_login)


def submit(settings: MailSettings, password: str, mail: EmailMessage, recipient: str) -> None:
    """Hand ``mail`` to the SMTP server; :class:`DeliveryFailed` with its answer if not."""
    try:
        with _connect(settings.smtp) as smtp:
            if password and smtp.has_extn("auth"):  # a relay on this machine may have none
                _login(smtp, settings.username, password)
            smtp.send_message(
                mail, from_addr=settings.address, to_addrs=[recipient],
            )  # fmt: skip
    except smtplib.SMTPRecipientsRefused as refused:
        code, answer = next(iter(refused.recipients.values()), (0, b""))
        raise _answer("recipient_refused", code, answer) from None
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as refused:
        raise _answer("refused", refused.smtp_code, refused.smtp_error) from None
    except smtplib.SMTPAuthenticationError as refused:
        raise _answer(
            "smtp_login", refused.smtp_code, refused.smtp_error, permanent=False
        ) from None
    except smtplib.SMTPNotSupportedError as unsupported:
        # The server lacks STARTTLS, AUTH or SMTPUTF8 (a non-ASCII address).
        raise DeliveryFailed("smtp_unsupported", str(unsupported)[:MAX_DETAIL]) from None
    except ssl.SSLError as error:
        raise DeliveryFailed("smtp_tls", type(error).__name__) from None
    except (smtplib.SMTPException, OSError) as error:  # no connection, a timeout, hung up
        raise DeliveryFailed("smtp_unavailable", type(error).__name__) from None


def _answer(code: str, smtp_code: int, answer: bytes | str, *, permanent: bool = True):
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    detail = clean_text(f"{smtp_code} {text}")[:MAX_DETAIL]
    return DeliveryFailed(code, detail, retryable=not (permanent and 500 <= smtp_code < 600))
