"""Destruction: a list proposed by one person, approved by another, then executed.

Executing a list removes the content of each conversation on it — message texts, attachments
and their files, search-index entries, the subject, and the payloads of its archive events —
but keeps the conversation as a tombstone and every event's header and payload hash, so the
chain still verifies. An emptied payload reads ``{"destroyed_by": <list id>}``; ``balie
verify`` accepts it only for conversations that the list's ``destruction.executed`` event
names. A hold or open Woo request, or a record that is no longer due, is skipped at execution
and reported on the list, however it was approved.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from balie.accounts.models import RECORDS_ROLES
from balie.archive.actions import record_event
from balie.archive.actors import ActorRef, actor_ref
from balie.archive.holds import describe, holds_covering
from balie.archive.models import (
    ArchiveEvent,
    DestructionItem,
    DestructionList,
    DestructionPermit,
    ItemStatus,
    ListStatus,
)
from balie.archive.permissions import require_role
from balie.archive.retention import is_due
from balie.conversations.actions.errors import ActionError
from balie.conversations.blobs import blob_name
from balie.conversations.models import Attachment, Contact, Conversation, Message

log = logging.getLogger(__name__)

MAX_ITEMS = 10_000
_NOT_ALLOWED = "Alleen een archiefbeheerder of beheerder stelt vernietiging voor of keurt die goed."


def destroyed_marker(destruction_list_id: int) -> dict:
    """What an emptied archive payload holds."""
    return {"destroyed_by": destruction_list_id}


def do_propose_destruction(
    organisation_id: int,
    *,
    actor,
    conversation_ids: Iterable[object],
    title: object,
    note: object = "",
) -> DestructionList:
    """Put due conversations on a new list. Refuses what is not due, held, or already listed."""
    require_role(actor, organisation_id, RECORDS_ROLES, _NOT_ALLOWED)
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > 200:
        raise ActionError("invalid_field", "Geef de lijst een titel (maximaal 200 tekens).")
    if not isinstance(note, str) or len(note) > 2000:
        raise ActionError("invalid_field", "Toelichting: tekst van maximaal 2000 tekens.")
    ids = []
    for value in conversation_ids:
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
            raise ActionError("invalid_field", f"Ongeldig gespreks-id: {value!r}.")
        ids.append(int(value))
    ids = sorted(set(ids))
    if not ids:
        raise ActionError("empty_list", "Kies minstens één gesprek om te vernietigen.")
    if len(ids) > MAX_ITEMS:
        raise ActionError("too_many", f"Maximaal {MAX_ITEMS} gesprekken per lijst.")
    conversations = {
        c.pk: c
        for c in Conversation.objects.filter(
            organisation_id=organisation_id, pk__in=ids
        ).select_related("record_class")
    }
    missing = [pk for pk in ids if pk not in conversations]
    if missing:
        raise ActionError("not_found", f"Deze gesprekken bestaan niet: {_ids(missing)}.")
    now = timezone.now()
    due = {pk: is_due(conversations[pk], now=now) for pk in ids}
    not_due = [pk for pk, record in due.items() if record is None]
    if not_due:
        raise ActionError(
            "not_due", f"Deze gesprekken zijn (nog) niet te vernietigen: {_ids(not_due)}."
        )
    held = holds_covering(organisation_id, ids)
    if held:
        reasons = ", ".join(f"{pk} ({describe(h)})" for pk, h in sorted(held.items())[:10])
        raise ActionError("held", f"Geblokkeerd door een hold of Woo-verzoek: {reasons}.")
    with transaction.atomic():
        listed = DestructionItem.objects.filter(
            conversation_id__in=ids,
            destruction_list__status__in=[ListStatus.PROPOSED, ListStatus.APPROVED],
        ).values_list("conversation_id", flat=True)
        if listed:
            raise ActionError(
                "already_listed", f"Al op een andere open lijst: {_ids(sorted(set(listed)))}."
            )
        destruction_list = DestructionList.objects.create(
            organisation_id=organisation_id,
            title=title.strip(),
            note=note.strip(),
            proposed_by=actor,
            proposed_at=now,
        )
        DestructionItem.objects.bulk_create(
            [
                DestructionItem(
                    destruction_list=destruction_list,
                    conversation_id=pk,
                    record_class_code=record.record_class.code,
                    record_class_name=record.record_class.name,
                    retention=record.record_class.retention,
                    trigger_date=record.trigger_date,
                    due_on=record.due_on,
                )
                for pk, record in due.items()
                if record is not None
            ]
        )
        record_event(
            organisation_id=organisation_id,
            event_type="destruction.proposed",
            payload={"list": destruction_list.pk, "conversations": ids},
            actor=actor_ref(actor),
        )
    return destruction_list


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(pk) for pk in ids[:20])
    return shown + (f" en {len(ids) - 20} meer" if len(ids) > 20 else "")


def _review(destruction_list: DestructionList, actor, note: object) -> None:
    require_role(actor, destruction_list.organisation_id, RECORDS_ROLES, _NOT_ALLOWED)
    if destruction_list.status != ListStatus.PROPOSED:
        raise ActionError(
            "not_proposed", f"Deze lijst is al {destruction_list.get_status_display().lower()}."
        )
    if actor.pk == destruction_list.proposed_by_id:
        raise ActionError(
            "four_eyes",
            "U hebt deze lijst zelf voorgesteld. Een tweede archiefbeheerder moet hem "
            "beoordelen (vier ogen).",
        )
    if not isinstance(note, str) or len(note) > 2000:
        raise ActionError("invalid_field", "Toelichting: tekst van maximaal 2000 tekens.")


def do_approve_destruction(
    destruction_list: DestructionList, *, actor, note: object = ""
) -> DestructionList:
    """The second person approves; execution follows as a task right after the commit."""
    from balie.archive.tasks import execute_destruction_list

    with transaction.atomic():
        decided = _decide(destruction_list, actor, note, ListStatus.APPROVED)
        transaction.on_commit(lambda: execute_destruction_list.enqueue(decided.pk))
    return decided


def do_reject_destruction(
    destruction_list: DestructionList, *, actor, note: object = ""
) -> DestructionList:
    with transaction.atomic():
        return _decide(destruction_list, actor, note, ListStatus.REJECTED)


def _decide(destruction_list: DestructionList, actor, note: object, status: str):
    """Record the second person's decision (inside the caller's transaction)."""
    destruction_list = DestructionList.objects.select_for_update().get(pk=destruction_list.pk)
    _review(destruction_list, actor, note)
    if status == ListStatus.REJECTED and not str(note).strip():
        raise ActionError("invalid_field", "Zeg waarom u de lijst afwijst.")
    destruction_list.status = status
    destruction_list.reviewed_by = actor
    destruction_list.reviewed_at = timezone.now()
    destruction_list.review_note = str(note).strip()
    destruction_list.save()
    record_event(
        organisation_id=destruction_list.organisation_id,
        event_type=f"destruction.{status}",
        payload={"list": destruction_list.pk, "note": destruction_list.review_note},
        actor=actor_ref(actor),
    )
    return destruction_list


def do_execute_destruction(destruction_list_id: int) -> DestructionList:
    """Destroy what an approved list holds, in one transaction. Idempotent: a list that is
    already executed only gets its remaining files removed."""
    with transaction.atomic():
        destruction_list = DestructionList.objects.select_for_update().get(pk=destruction_list_id)
        if destruction_list.status != ListStatus.APPROVED:
            if destruction_list.status == ListStatus.DESTROYED:
                transaction.on_commit(lambda: do_remove_destroyed_files(destruction_list_id))
                return destruction_list
            raise ActionError("not_approved", "Deze lijst is niet goedgekeurd.")
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
    _purge_search(message_ids)
    attachments.delete()
    Message.objects.filter(conversation_id__in=ids).delete()
    Conversation.objects.filter(pk__in=ids).update(subject="", destroyed_at=now)
    _forget_contacts(organisation_id, ids)
    permit = DestructionPermit.objects.create(reason=f"destruction list {destruction_list.pk}")
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


def _purge_search(message_ids: list[int]) -> None:
    """Remove the messages' search-index entries (the search app owns the index)."""
    from balie.search.index import purge

    purge(message_ids)


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
    ).update(name="", email="", phone="")


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
