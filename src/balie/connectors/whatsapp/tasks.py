"""Fetching a file a resident sent on WhatsApp, after the webhook stored their message.

:func:`fetch_media` asks the Graph API where the file is (``GET /{media id}``), downloads it
with the account's token (at most ``MAX_UPLOAD_BYTES``) and stores it through
``do_receive`` as a message of its own (channel id ``<wamid>#media``) in the conversation of
the message it came with: the upload checks decide its type from the bytes, strip a photo's
metadata, and turn a kind Balie does not keep into a note. A failure that may pass (the
Graph API unreachable, a 5xx, a rate limit) is tried again after a pause that doubles
(``balie.conf.retries``), up to :data:`MAX_ATTEMPTS`; then, or at once for a failure that
will not pass, a system message in the conversation says which file could not be fetched
and why.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from balie.conf import retries
from balie.connectors.inbound import Inbound, InboundFile, do_receive
from balie.connectors.models import ChannelAccount, ExternalMessage
from balie.connectors.whatsapp.account import graph_for, phone_number_id
from balie.connectors.whatsapp.graph import GraphError
from balie.connectors.whatsapp.labels import media_label
from balie.conversations import actions
from balie.conversations.models import Channel, Direction, Message

__all__ = ["MAX_ATTEMPTS", "MEDIA_SUFFIX", "fetch_media"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE = 10.0  # seconds before the second attempt (about: jitter)
BACKOFF_CAP = 600.0
MEDIA_SUFFIX = "#media"


@task()
def fetch_media(
    account_id: int, external_id: str, media_id: str, kind: str, filename: str, attempt: int = 1
) -> str:
    """Fetch the file ``media_id`` of the resident's message ``external_id`` (a wamid) and
    store it next to that message. The resident's id and name are not among the arguments
    (task rows outlive the conversation's retention): they come from the stored message."""
    account = ChannelAccount.objects.filter(pk=account_id, kind=Channel.WHATSAPP).first()
    original = (
        ExternalMessage.objects.filter(account_id=account_id, external_id=external_id)
        .select_related("message__conversation__channel_thread")
        .first()
    )
    if account is None or original is None:
        return "no_message"
    media_external_id = f"{external_id}{MEDIA_SUFFIX}"
    if ExternalMessage.objects.filter(account=account, external_id=media_external_id).exists():
        return "stored"  # an earlier (duplicate) task did it
    try:
        graph = graph_for(account)
        info = graph.media_info(media_id, phone_number_id(account))
        if info.file_size is not None and info.file_size > settings.MAX_UPLOAD_BYTES:
            raise GraphError("too_large", "the file is too large", retryable=False)
        data = graph.download(info.url, limit=settings.MAX_UPLOAD_BYTES)
    except GraphError as failure:
        log.warning(
            "whatsapp media fetch failed",
            extra={"account": account_id, "wamid": external_id, "code": failure.code},
        )
        if failure.retryable and attempt < MAX_ATTEMPTS:
            when = timezone.now() + retries.backoff(attempt, base=BACKOFF_BASE, cap=BACKOFF_CAP)
            fetch_media.using(run_after=when).enqueue(
                account_id, external_id, media_id, kind, filename, attempt + 1
            )
            return "retrying"
        _record_failure(original.message, kind, str(failure))
        return "failed"
    with override(settings.LANGUAGE_CODE):
        body = _("[%(what)s of the message of %(time)s]") % {
            "what": media_label(kind),
            "time": _time_of(original.message),
        }
    do_receive(
        account,
        Inbound(
            external_id=media_external_id,
            address=original.message.conversation.channel_thread.address,
            body=body,
            files=(InboundFile(filename, data),),
            thread=(external_id,),
        ),
    )
    return "stored"


def _time_of(message: Message) -> str:
    return timezone.localtime(message.created_at).strftime("%d-%m %H:%M")


def _record_failure(message: Message, kind: str, error: str) -> None:
    """A system message (staff only) in the conversation of the message the file came with."""
    digest = hashlib.sha256(f"{message.pk}:{kind}".encode()).hexdigest()[:40]
    with override(settings.LANGUAGE_CODE):
        body = _(
            "The %(what)s of the resident's message of %(time)s could not be fetched from "
            "WhatsApp (%(error)s)."
        ) % {"what": media_label(kind), "time": _time_of(message), "error": error[:200]}
    with transaction.atomic():
        actions.do_send_message(
            message.conversation,
            direction=Direction.SYSTEM,
            body=body,
            client_id=f"wa-media-failed:{digest}",
        )
