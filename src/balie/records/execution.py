"""Executing an approved destruction list (see :mod:`balie.records.destruction`).

Removes the content of each conversation on the list — message texts, attachments and their
files, search-index entries, the subject, and the payloads of its archive events — keeping
the tombstone, every event's header and payload hash, so the chain still verifies. A record
that is held or no longer due is skipped here and reported on the list, however the list was
approved.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from balie.archive.actions import record_event
from balie.archive.actors import ActorRef
from balie.archive.chain import destroyed_marker
from balie.archive.models import (
    ArchiveEvent,
    DestructionItem,
    DestructionList,
    DestructionPermit,
    ItemStatus,
    ListStatus,
)
from balie.conversations.actions.errors import ActionError
from balie.conversations.blobs import blob_name
from balie.conversations.models import Attachment, Contact, Conversation, Message
from balie.records.holds import describe, holds_covering
from balie.records.retention import is_due
from balie.search.index import purge

log = logging.getLogger(__name__)


def do_execute_destruction(destruction_list_id: int) -> DestructionList:
    """Destroy what an approved list holds, in one transaction. Idempotent: a list that is
    already executed only gets its remaining files removed."""
    with transaction.atomic():
        destruction_list = DestructionList.objects.select_for_update().get(pk=destruction_list_id)
        if destruction_list.status != ListStatus.APPROVED:
            if destruction_list.status == ListStatus.DESTROYED:
                transaction.on_commit(lambda: do_remove_destroyed_files(destruction_list_id))
                return destruction_list
            raise ActionError("not_approved", _("This list has not been approved."))
        _destroy(destruction_list)
        transaction.on_commit(lambda: do_remove_destroyed_files(destruction_list_id))
    _compact_sqlite()
    destruction_list.refresh_from_db()
    return destruction_list


def _destroy(destruction_list: DestructionList) -> None:
    organisation_id = destruction_list.organisation_id
    now = timezone.now()
    items = list(destruction_list.items.select_related("conversation__record_class").order_by("pk"))
    held = holds_covering(organisation_id, [item.conversation_id for item in items])
    destroy: list[DestructionItem] = []
    for item in items:
        conversation = item.conversation
        if conversation.pk in held:
            item.status = ItemStatus.BLOCKED
            # Stored: in the default language, like the other reasons.
            with translation.override(settings.LANGUAGE_CODE):
                item.blocked_reason = f"Hold: {describe(held[conversation.pk])}"[:300]
        elif conversation.destroyed_at is not None:
            item.status = ItemStatus.BLOCKED
            item.blocked_reason = "Al vernietigd via een andere lijst."
        elif is_due(conversation, now=now) is None:
            item.status = ItemStatus.BLOCKED
            item.blocked_reason = (
                "Niet meer te vernietigen: heropend, andere categorie of waardering bewaren."
            )
        else:
            item.status = ItemStatus.DESTROYED
            destroy.append(item)
    ids = [item.conversation_id for item in destroy]
    message_counts = Counter(
        dict(
            Message.objects.filter(conversation_id__in=ids)
            .values_list("conversation_id")
            .annotate(n=Count("pk"))
        )
    )
    attachments = Attachment.objects.filter(conversation_id__in=ids)
    attachment_counts = Counter(
        dict(attachments.values_list("conversation_id").annotate(n=Count("pk")))
    )
    files = set(attachments.values_list("sha256", flat=True)) | set(
        attachments.values_list("display_sha256", flat=True)
    )
    files.discard("")
    for item in destroy:
        item.messages = message_counts[item.conversation_id]
        item.attachments = attachment_counts[item.conversation_id]
    DestructionItem.objects.bulk_update(
        items, ["status", "blocked_reason", "messages", "attachments"]
    )

    message_ids = list(Message.objects.filter(conversation_id__in=ids).values_list("pk", flat=True))
    purge(message_ids)  # the search index's entries, and every trace of their terms
    attachments.delete()
    Message.objects.filter(conversation_id__in=ids).delete()
    Conversation.objects.filter(pk__in=ids).update(subject="", destroyed_at=now)
    _forget_contacts(organisation_id, ids)
    # The triggers accept this permit only for this list, while it is being carried out,
    # and (PostgreSQL) only in this transaction; it is gone again before the commit.
    permit = DestructionPermit.objects.create(
        reason=f"destruction list {destruction_list.pk}", destruction_list=destruction_list
    )
    emptied = ArchiveEvent.objects.filter(
        organisation_id=organisation_id, conversation_id__in=ids
    ).update(payload=destroyed_marker(destruction_list.pk))
    DestructionPermit.objects.filter(pk=permit.pk).delete()
    still_used = set(
        Attachment.objects.filter(Q(sha256__in=files) | Q(display_sha256__in=files)).values_list(
            "sha256", "display_sha256"
        )
    )
    files -= {sha for pair in still_used for sha in pair}

    classes = Counter((item.record_class_code, item.record_class_name, item.retention)
                      for item in destroy)  # fmt: skip
    destruction_list.status = ListStatus.DESTROYED
    destruction_list.executed_at = now
    destruction_list.conversations_destroyed = len(destroy)
    destruction_list.conversations_blocked = len(items) - len(destroy)
    destruction_list.messages_destroyed = sum(message_counts.values())
    destruction_list.attachments_destroyed = sum(attachment_counts.values())
    destruction_list.events_emptied = emptied
    destruction_list.record_classes = [
        {"code": code, "name": name, "retention": retention, "conversations": n}
        for (code, name, retention), n in sorted(classes.items())
    ]
    destruction_list.files_pending = sorted(files)
    destruction_list.save()
    record_event(
        organisation_id=organisation_id,
        event_type="destruction.executed",
        payload={
            "list": destruction_list.pk,
            "conversations": ids,
            "blocked": [item.conversation_id for item in items if item not in destroy],
            "messages": destruction_list.messages_destroyed,
            "attachments": destruction_list.attachments_destroyed,
            "events_emptied": emptied,
            "record_classes": destruction_list.record_classes,
            "proposed_by": destruction_list.proposed_by_id,
            "approved_by": destruction_list.reviewed_by_id,
        },
        actor=ActorRef("system"),
    )


def _forget_contacts(organisation_id: int, destroyed_ids: list[int]) -> None:
    """Contact details that no remaining conversation needs are removed too."""
    contact_ids = set(
        Conversation.objects.filter(pk__in=destroyed_ids).values_list("contact_id", flat=True)
    )
    still_needed = set(
        Conversation.objects.filter(
            contact_id__in=contact_ids, destroyed_at__isnull=True
        ).values_list("contact_id", flat=True)
    )
    Contact.objects.filter(
        organisation_id=organisation_id, pk__in=contact_ids - still_needed
    ).update(name="", email="", phone="", bsn_sealed="", bsn_digest="", identified_at=None)


def do_remove_destroyed_files(destruction_list_id: int) -> int:
    """Delete the files a destruction freed; safe to repeat (the daily job retries)."""
    destruction_list = DestructionList.objects.get(pk=destruction_list_id)
    removed = 0
    remaining = []
    for sha in destruction_list.files_pending:
        if Attachment.objects.filter(Q(sha256=sha) | Q(display_sha256=sha)).exists():
            continue  # uploaded again since: the file is in use
        try:
            default_storage.delete(blob_name(sha))
            removed += 1
        except OSError:
            log.exception("could not remove destroyed file %s", sha)
            remaining.append(sha)
    DestructionList.objects.filter(pk=destruction_list_id).update(
        files_pending=remaining, files_removed=destruction_list.files_removed + removed
    )
    return removed


def _compact_sqlite() -> None:
    """Leave no copy of destroyed pages in SQLite's write-ahead log (best effort)."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def destruction_details(conversation: Conversation) -> dict:
    """As staff open a conversation: when it was destroyed, and by which list."""
    destroyed = conversation.destroyed_at
    return {
        "destroyed_at": destroyed.isoformat() if destroyed else None,
        "destruction_list": (
            DestructionItem.objects.filter(conversation=conversation, status=ItemStatus.DESTROYED)
            .values_list("destruction_list_id", flat=True)
            .first()
            if destroyed
            else None
        ),
    }
