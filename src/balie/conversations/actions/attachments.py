"""Storing uploaded files as attachments of a conversation, and removing those never sent."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.archive.actions import record_event, record_events
from balie.archive.actors import actor_ref, api_key_of, user_of
from balie.conversations import followers
from balie.conversations.blobs import blob_name, store_blob
from balie.conversations.files import check_upload
from balie.conversations.models import Attachment, Conversation
from balie.errors import TooMany

log = logging.getLogger(__name__)

# Removed per run of the daily job at most; the next run takes the rest.
CLEANUP_BATCH = 1000


class UnsentQuota(TooMany):
    """Too many files uploaded and not yet sent: send or wait, do not retry (429)."""

    default_code = "too_many_unsent_files"
    default_message = _("You have added many files that you have not sent yet. Send them first.")


def do_store_attachment(
    conversation: Conversation, *, data: bytes, filename: str, uploaded_by=None
) -> Attachment:
    """Check an uploaded file, store its bytes content-addressed and record it.

    ``uploaded_by``: a staff user, an API key, or None for the resident. Raises
    :class:`UnsentQuota` when the uploader's side already has BALIE_LIMIT_UNSENT_UPLOADS files
    or BALIE_LIMIT_UNSENT_UPLOAD_BYTES bytes waiting in this conversation."""
    checked = check_upload(data, filename)  # raises FileRejected before anything is stored
    by_resident = uploaded_by is None
    _check_unsent_quota(conversation, by_resident, len(checked.data))  # before storing bytes
    sha256 = store_blob(checked.data)
    display_sha256 = store_blob(checked.display_data) if checked.display_data else ""
    try:
        with transaction.atomic():
            _lock(conversation.pk)  # two uploads at once: the second counts the first
            _check_unsent_quota(conversation, by_resident, len(checked.data))
            attachment = Attachment.objects.create(
                organisation_id=conversation.organisation_id,
                conversation=conversation,
                uploaded_by=user_of(uploaded_by),
                uploaded_by_api_key=api_key_of(uploaded_by),
                uploaded_by_resident=by_resident,
                filename=checked.filename,
                content_type=checked.content_type,
                size=len(checked.data),
                sha256=sha256,
                display_sha256=display_sha256,
                width=checked.width,
                height=checked.height,
            )
            record_event(
                organisation_id=conversation.organisation_id,
                conversation_id=conversation.pk,
                event_type="attachment.added",
                payload={
                    "attachment_id": attachment.pk,
                    "sha256": sha256,
                    "display_sha256": display_sha256,
                    "filename": attachment.filename,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                },
                actor=actor_ref(uploaded_by, default_kind="resident"),
            )
    except UnsentQuota:
        remove_unused_blobs({sha256, display_sha256})  # lost the race: keep no orphan bytes
        raise
    return attachment


def _lock(*conversation_ids: int) -> None:
    """PostgreSQL: lock the conversations' rows, in order; SQLite's IMMEDIATE transaction
    already holds the one write lock."""
    if connection.features.has_select_for_update and conversation_ids:
        qs = Conversation.objects.filter(pk__in=conversation_ids).order_by("pk")
        list(qs.select_for_update().values_list("pk", flat=True))


def _check_unsent_quota(conversation: Conversation, by_resident: bool, size: int) -> None:
    most_files, most_bytes = settings.LIMIT_UNSENT_UPLOADS, settings.LIMIT_UNSENT_UPLOAD_BYTES
    if most_files <= 0 and most_bytes <= 0:
        return
    waiting = Attachment.objects.filter(
        conversation_id=conversation.pk, message__isnull=True, uploaded_by_resident=by_resident
    ).aggregate(files=Count("pk"), size=Sum("size"))
    if (most_files > 0 and waiting["files"] + 1 > most_files) or (
        most_bytes > 0 and (waiting["size"] or 0) + size > most_bytes
    ):
        raise UnsentQuota()


def do_remove_unsent_attachments(now=None, *, after: int = 0) -> tuple[int, int | None]:
    """Delete attachments uploaded more than BALIE_UNSENT_UPLOADS_MAX_AGE_HOURS ago and never
    sent with a message: the rows now, each with an ``attachment.removed`` archive event, the
    files no other attachment uses after the commit. Looks at up to :data:`CLEANUP_BATCH`
    of them with ids above ``after``; returns how many it removed and where the next batch
    starts (None: this was the last).

    Their ``attachment.added`` events stay as they are: the archive keeps that a file was
    offered and then removed unsent (docs/guides/records.md). Conversations under a hold keep
    theirs until it is released."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.UNSENT_UPLOADS_MAX_AGE_HOURS)
    with transaction.atomic():
        candidates = Attachment.objects.filter(
            message__isnull=True, created_at__lt=cutoff, pk__gt=after
        )
        batch = list(candidates.order_by("pk")[:CLEANUP_BATCH])
        following = batch[-1].pk if len(batch) == CLEANUP_BATCH else None
        old = _not_held(batch)
        # The send path locks its conversations too (in the same order): a send that claims
        # one of these files either finishes first, or finds it gone.
        _lock(*sorted({a.conversation_id for a in old}))
        if not old:
            return 0, following
        # Deleted only while still unsent: a send that claimed one meanwhile keeps it.
        removed = Attachment.objects.filter(pk__in=[a.pk for a in old], message__isnull=True)
        removed_ids = set(removed.values_list("pk", flat=True))
        removed.delete()
        gone = [a for a in old if a.pk in removed_ids]
        record_events(
            [
                {
                    "organisation_id": a.organisation_id,
                    "conversation_id": a.conversation_id,
                    "event_type": "attachment.removed",
                    "payload": {"attachment_id": a.pk, "reason": "unsent"},
                    "actor_id": None,
                    "api_key_id": None,
                    "actor_kind": "system",
                    "created_at": timezone.now(),
                }
                for a in gone
            ]
        )
        files = {a.sha256 for a in gone} | {a.display_sha256 for a in gone}
        transaction.on_commit(partial(remove_unused_blobs, files))
    return len(gone), following


def _not_held(attachments: list[Attachment]) -> list[Attachment]:
    """Leave alone what a hold covers: nothing of a held conversation is removed."""
    by_organisation: dict[int, set[int]] = {}
    for a in attachments:
        by_organisation.setdefault(a.organisation_id, set()).add(a.conversation_id)
    held = {pk for org, ids in by_organisation.items() for pk in followers.held(org, ids)}
    return [a for a in attachments if a.conversation_id not in held]


def remove_unused_blobs(shas: set[str]) -> int:
    """Delete the stored files among ``shas`` that no attachment refers to."""
    shas = {sha for sha in shas if sha}
    used = Attachment.objects.filter(Q(sha256__in=shas) | Q(display_sha256__in=shas))
    shas -= {sha for pair in used.values_list("sha256", "display_sha256") for sha in pair}
    removed = 0
    for sha in sorted(shas):
        try:
            default_storage.delete(blob_name(sha))
            removed += 1
        except OSError:
            log.exception("could not remove an unused file", extra={"sha256": sha})
    return removed
