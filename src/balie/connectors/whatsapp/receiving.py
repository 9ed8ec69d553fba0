"""What a parsed notification becomes in Balie: each resident's message stored once (the
wamid as its channel id), each status report applied, each review of a template by Meta
applied to its ``approved`` — by the intake (``balie.connectors.intake``), which stores the
messages of concurrent notifications together.

A message is stored as text staff can read: a reply starts with a line quoting the message
it answers, a reaction says which emoji on which message, a location gives its coordinates
and a map link, a contact card its names and numbers. A file (photo, document, voice
message, video, sticker) cannot be fetched inside the webhook (Meta wants a quick answer and
the download may fail): the message is stored with a line saying the file is being fetched,
and :func:`~.tasks.fetch_media` adds the file later as a message of its own in the same
conversation (channel id ``<wamid>#media``), or a system message saying it could not.

Texts are written in the organisation's default language (``LANGUAGE_CODE``): they are part
of the stored message, read by staff.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from balie.connectors.inbound import Inbound, Received
from balie.connectors.models import ChannelAccount, ExternalMessage
from balie.connectors.registry import Notification, WebhookResponse
from balie.connectors.whatsapp import tasks
from balie.connectors.whatsapp.labels import media_label
from balie.connectors.whatsapp.parsing import Batch, Incoming, Location
from balie.connectors.whatsapp.templates import do_review_template
from balie.errors import BalieError

__all__ = ["read"]

log = logging.getLogger(__name__)
QUOTE_CHARS = 80


def read(account: ChannelAccount, batch: Batch) -> Notification:
    """What ``batch`` brings, to be stored by the intake (``balie.connectors.intake``) with
    the other requests that arrived together: all or nothing for an unexpected error (Meta
    delivers it again, and what was stored is recognised), one message at a time for a
    refusal."""
    with override(settings.LANGUAGE_CODE):
        inbounds = [_inbound(account, item) for item in batch.messages]

    def then(outcomes: list[Received | BalieError]) -> None:
        refused = 0
        for item, outcome in zip(batch.messages, outcomes, strict=True):
            if isinstance(outcome, BalieError):
                refused += 1
                log.warning(
                    "whatsapp message refused",
                    extra={"account": account.pk, "wamid": item.external_id, "code": outcome.code},
                )
            elif item.media is not None and outcome.created:  # fetched once, not on redelivery
                tasks.fetch_media.enqueue(
                    account.pk, item.external_id, item.media.media_id, item.media.kind,
                    item.media.filename or _default_filename(item),
                )  # fmt: skip
        for update in batch.templates:
            do_review_template(account, update.name, update.language, approved=update.approved)
        if batch.skipped or batch.foreign or refused:
            log.warning(
                "whatsapp webhook partly skipped",
                extra={"account": account.pk, "skipped": batch.skipped,
                       "other_number": batch.foreign, "refused": refused},
            )  # fmt: skip

    return Notification(WebhookResponse(200, b"ok"), inbounds, batch.statuses, then)


def _inbound(account: ChannelAccount, item: Incoming) -> Inbound:
    lines = []
    if item.reply_to and item.reaction is None:
        lines.append(_("In reply to: %(quote)s") % {"quote": _quote(account, item.reply_to)})
    lines.append(_main_text(account, item))
    return Inbound(
        external_id=item.external_id,
        address=item.address,
        body="\n".join(line for line in lines if line),
        name=item.name,
        thread=(item.reply_to,) if item.reply_to else (),
        sent_at=item.sent_at,
    )


def _main_text(account: ChannelAccount, item: Incoming) -> str:
    if item.reaction is not None:
        quote = _quote(account, item.reply_to)
        if item.reaction:
            return _("Reacted with %(emoji)s to: %(quote)s") % {
                "emoji": item.reaction,
                "quote": quote,
            }
        return _("Took back a reaction to: %(quote)s") % {"quote": quote}
    if item.media is not None:
        fetching = _("[%(what)s is being fetched]") % {"what": media_label(item.media.kind)}
        return f"{item.text}\n{fetching}" if item.text else fetching
    if item.location is not None:
        return _location_text(item.location)
    if item.contacts:
        return "\n".join(
            _("Contact card: %(name)s") % {"name": card.name or "?"}
            + (f" ({', '.join(card.phones)})" if card.phones else "")
            for card in item.contacts
        )
    if item.kind == "system" and item.text:
        return _("WhatsApp notice: %(text)s") % {"text": item.text}
    if item.text:
        return item.text
    return _("[A kind of WhatsApp message Balie does not show: %(kind)s]") % {
        "kind": item.kind[:40]
    }


def _location_text(location: Location) -> str:
    lat, lon = f"{location.latitude:.6f}", f"{location.longitude:.6f}"
    place = ", ".join(part for part in (location.name, location.address) if part)
    lines = [_("Location: %(place)s") % {"place": place} if place else _("Location")]
    lines.append(f"{lat}, {lon}")
    lines.append(f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}")
    return "\n".join(lines)


def _quote(account: ChannelAccount, external_id: str) -> str:
    """The start of the message ``external_id`` of this account, on one line."""
    earlier = (
        ExternalMessage.objects.filter(account=account, external_id=external_id)
        .select_related("message")
        .first()
    )
    if earlier is None or earlier.message.deleted_at is not None:
        return _("an earlier message")
    text = " ".join(earlier.message.body.split())
    return f"“{text[:QUOTE_CHARS]}…”" if len(text) > QUOTE_CHARS else f"“{text}”"


def _default_filename(item: Incoming) -> str:
    stamp = timezone.localtime(item.sent_at or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return f"whatsapp-{item.media.kind if item.media else 'file'}-{stamp}"
