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
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from balie.accounts.models import RECORDS_ROLES
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.archive.models import (
    DestructionItem,
    DestructionList,
    ListStatus,
)
from balie.conversations.actions.errors import ActionError
from balie.conversations.models import Conversation
from balie.errors import Text
from balie.records.holds import describe, holds_covering
from balie.records.permissions import require_role
from balie.records.retention import is_due
from balie.records.tasks import execute_destruction_list

log = logging.getLogger(__name__)

MAX_ITEMS = 10_000
_NOT_ALLOWED = _("Only a records manager or administrator proposes or approves destruction.")


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
        raise ActionError("invalid_field", _("Give the list a title (at most 200 characters)."))
    if not isinstance(note, str) or len(note) > 2000:
        raise ActionError("invalid_field", _("Note: a text of at most 2000 characters."))
    ids = []
    for value in conversation_ids:
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
            raise ActionError(
                "invalid_field",
                _("Invalid conversation id: %(value)s."),
                params={"value": repr(value)},
            )
        ids.append(int(value))
    ids = sorted(set(ids))
    if not ids:
        raise ActionError("empty_list", _("Choose at least one conversation to destroy."))
    if len(ids) > MAX_ITEMS:
        raise ActionError(
            "too_many",
            _("At most %(limit)s conversations per list."),
            params={"limit": MAX_ITEMS},
        )
    conversations = {
        c.pk: c
        for c in Conversation.objects.filter(
            organisation_id=organisation_id, pk__in=ids
        ).select_related("record_class")
    }
    missing = [pk for pk in ids if pk not in conversations]
    if missing:
        raise ActionError(
            "not_found",
            _("These conversations do not exist: %(ids)s."),
            params={"ids": _ids(missing)},
        )
    now = timezone.now()
    due = {pk: is_due(conversations[pk], now=now) for pk in ids}
    not_due = [pk for pk, record in due.items() if record is None]
    if not_due:
        raise ActionError(
            "not_due",
            _("These conversations cannot be destroyed (yet): %(ids)s."),
            params={"ids": _ids(not_due)},
        )
    held = holds_covering(organisation_id, ids)
    if held:
        reasons = ", ".join(f"{pk} ({describe(h)})" for pk, h in sorted(held.items())[:10])
        raise ActionError(
            "held",
            _("Blocked by a hold or Woo request: %(reasons)s."),
            params={"reasons": reasons},
        )
    with transaction.atomic():
        listed = DestructionItem.objects.filter(
            conversation_id__in=ids,
            destruction_list__status__in=[ListStatus.PROPOSED, ListStatus.APPROVED],
        ).values_list("conversation_id", flat=True)
        if listed:
            raise ActionError(
                "already_listed",
                _("Already on another open list: %(ids)s."),
                params={"ids": _ids(sorted(set(listed)))},
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


def _ids(ids: list[int]) -> Text:
    shown = ", ".join(str(pk) for pk in ids[:20])
    if len(ids) <= 20:
        return shown
    return _more(shown, len(ids) - 20)


def _more_text(shown: str, count: int) -> str:
    """The shown ids and how many more, in the language of whoever reads the error."""
    return gettext("%(ids)s and %(count)s more") % {"ids": shown, "count": count}


_more = lazy(_more_text, str)


def _lower_text(text) -> str:
    return str(text).lower()


_lower = lazy(_lower_text, str)


def _review(destruction_list: DestructionList, actor, note: object) -> None:
    require_role(actor, destruction_list.organisation_id, RECORDS_ROLES, _NOT_ALLOWED)
    if destruction_list.status != ListStatus.PROPOSED:
        raise ActionError(
            "not_proposed",
            _("This list is already %(status)s."),
            params={"status": _lower(ListStatus(destruction_list.status).label)},
        )
    if actor.pk == destruction_list.proposed_by_id:
        raise ActionError(
            "four_eyes",
            pgettext_lazy(
                "destruction error",
                "You proposed this list yourself. A second records manager must review it "
                "(four eyes).",
            ),
        )
    if not isinstance(note, str) or len(note) > 2000:
        raise ActionError("invalid_field", _("Note: a text of at most 2000 characters."))


def do_approve_destruction(
    destruction_list: DestructionList, *, actor, note: object = ""
) -> DestructionList:
    """The second person approves; execution follows as a task right after the commit."""
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
        raise ActionError("invalid_field", _("Say why you reject the list."))
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
