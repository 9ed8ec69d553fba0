"""Sending an outbound message to a resident on WhatsApp (called by the delivery task
through the connector's ``send``).

A template message goes out as WhatsApp's ``template``. Anything else only inside the
24-hour window: outside it the message fails at once with ``outside_window`` and staff see
why. A message becomes one or more WhatsApp messages ("parts"): its text (split at
WhatsApp's 4,096 characters), and each file uploaded (``POST /{id}/media``) and sent as an
image (JPEG, PNG up to 5 MB) or else a document, the text as the first file's caption when
it fits. Each part accepted is recorded at once (``OutboundPart``): a retry after a failure
halfway sends only the parts not yet accepted, so the resident gets each once. Photos go
out as their display copy, without the metadata (location, camera) of the original.

The channel's refusal becomes ``DeliveryFailed`` with WhatsApp's own code; whether it is
tried again is decided by :class:`~.graph.GraphError`'s ``retryable``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from balie.connectors.accounts import secret_of
from balie.connectors.models import ChannelAccount, ChannelThread, ExternalMessage
from balie.connectors.whatsapp.account import graph_for, phone_number_id
from balie.connectors.whatsapp.graph import Graph, GraphError
from balie.connectors.whatsapp.models import OutboundPart, TemplateMessage
from balie.connectors.whatsapp.templates import window_of_thread
from balie.conversations.blobs import open_blob
from balie.conversations.models import Attachment, Message
from balie.conversations.tasks import DeliveryFailed

__all__ = ["send"]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
OUTSIDE_WINDOW = "131047"  # Meta's "re-engagement message": more than 24 hours


@dataclass(frozen=True)
class Part:
    """One WhatsApp message: a text or template (``content``), or a file to upload first."""

    kind: str
    content: dict[str, Any] = field(default_factory=dict)
    attachment: Attachment | None = None


def send(account: ChannelAccount, message: Message, *, address: str) -> str:
    chosen = (
        TemplateMessage.objects.filter(message_id=message.pk).select_related("template").first()
    )
    if chosen is None:
        thread = ChannelThread.objects.filter(conversation_id=message.conversation_id).first()
        if not window_of_thread(thread)["open"]:
            raise _outside_window()
    if not secret_of(account, "access_token"):
        raise DeliveryFailed("no_access_token", retryable=False)
    parts = _template_parts(chosen) if chosen else _parts(message)
    done = dict(OutboundPart.objects.filter(message=message).values_list("index", "external_id"))
    graph, number, last = graph_for(account), phone_number_id(account), ""
    for index, part in enumerate(parts):
        if index in done:
            last = done[index]
            continue
        try:
            last = graph.send_message(number, _payload(part, graph, number, address))
        except GraphError as failure:
            if failure.code == OUTSIDE_WINDOW:
                raise _outside_window() from None
            raise DeliveryFailed(
                failure.code, failure.channel_detail, retryable=failure.retryable
            ) from None
        OutboundPart.objects.create(message=message, index=index, external_id=last)
        if index < len(parts) - 1:  # the last one's id is recorded by the core
            ExternalMessage.objects.get_or_create(
                account=account, external_id=last, defaults={"message": message, "inbound": False}
            )
    return last


def _outside_window() -> DeliveryFailed:
    with override(settings.LANGUAGE_CODE):
        detail = _(
            "the resident's last message is more than 24 hours old: only an approved template "
            "can be sent now"
        )
    return DeliveryFailed("outside_window", detail, retryable=False)


def _envelope(address: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": address,
        "type": kind,
        kind: content,
    }


def _template_parts(chosen: TemplateMessage) -> list[Part]:
    template = chosen.template
    content: dict[str, Any] = {
        "name": template.name,
        "language": {"policy": "deterministic", "code": template.language},
    }
    if chosen.parameters:
        content["components"] = [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": value} for value in chosen.parameters],
            }
        ]
    return [Part("template", content)]


def _parts(message: Message) -> list[Part]:
    files = list(message.attachments.order_by("pk"))
    body = message.body.strip()
    caption = body if files and len(body) <= MAX_CAPTION else ""
    parts = []
    if body and not caption:
        parts += [
            Part("text", {"body": body[start : start + MAX_TEXT], "preview_url": False})
            for start in range(0, len(body), MAX_TEXT)
        ]
    for position, attachment in enumerate(files):
        content = {"caption": caption} if caption and position == 0 else {}
        parts.append(Part("file", content, attachment))
    if not parts:
        raise DeliveryFailed("empty_message", retryable=False)
    return parts


def _payload(part: Part, graph: Graph, number: str, address: str) -> dict[str, Any]:
    """The body of ``part``'s POST /messages; a file is uploaded first."""
    attachment = part.attachment
    if attachment is None:
        return _envelope(address, part.kind, part.content)
    with open_blob(attachment.display_sha256 or attachment.sha256) as handle:
        data = handle.read()  # a photo's display copy: without its metadata
    as_image = attachment.content_type in IMAGE_TYPES and len(data) <= MAX_IMAGE_BYTES
    media_id = graph.upload_media(
        number, data, content_type=attachment.content_type, filename=attachment.filename
    )
    content: dict[str, Any] = {"id": media_id, **part.content}
    if not as_image:
        content["filename"] = attachment.filename
    return _envelope(address, "image" if as_image else "document", content)
