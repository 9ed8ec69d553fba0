"""Reading the organisation's records management: record classes, the daily review, what is
due, holds and destruction lists — for the roles that may see them, never across
organisations.

Every function takes the *actor* (a staff user or an API key) and answers only with the
organisations where that actor may read records (``RECORDS_READ_ROLES``, or a key with the
scope ``records:read``). What the actor may not see raises :class:`RecordNotFound`, the same
as what does not exist, so another organisation's ids reveal nothing. The writes are the
actions in ``retention``, ``holds`` and ``destruction``, which check the writing roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from balie.accounts.actors import Actor
from balie.accounts.models import RECORDS_READ_ROLES, RECORDS_ROLES, WRITING_ROLES, ApiScope
from balie.archive.audit import record_read
from balie.archive.models import (
    DestructionItem,
    DestructionList,
    Hold,
    RecordClass,
    RetentionReview,
)
from balie.conversations.actions.checks import id_from_outside
from balie.conversations.actions.errors import ActionError
from balie.conversations.selectors import record_list_read
from balie.errors import NotFound
from balie.records.holds import describe, holds_covering
from balie.records.permissions import RecordsNotAllowed
from balie.records.retention import DueRecord, due_conversations
from balie.tenants.models import Organisation

__all__ = [
    "DueRow",
    "RecordNotFound",
    "access_destruction_list",
    "access_hold",
    "access_record_class",
    "destruction_lists_for",
    "due_for",
    "holds_for",
    "organisations_for",
    "record_class_choices",
    "record_classes_for",
    "record_destruction_lists_read",
    "record_holds_read",
    "require_record_class_chooser",
    "retention_reviews_for",
    "writing_organisation",
]


class RecordNotFound(NotFound):
    """Does not exist, or belongs to an organisation the actor may not see."""

    default_message = _("Not found.")

    def __init__(self, looked_for: object = None) -> None:
        super().__init__()
        self.looked_for = looked_for


def organisations_for(actor, roles=RECORDS_READ_ROLES) -> list[int]:
    """The organisations whose records the actor may read; RecordsNotAllowed when none."""
    who = Actor.of(actor)
    organisations = who.organisations(roles, scope=ApiScope.RECORDS_READ)
    if organisations:
        return organisations
    if who.is_key:
        raise RecordsNotAllowed(_("This API key lacks the scope records:read."))
    if not who.is_person:
        raise RecordsNotAllowed(_("Log in first."))
    raise RecordsNotAllowed(
        pgettext_lazy(
            "records reading",
            "Only a records manager, Woo coordinator, auditor or administrator sees this.",
        )
    )


def writing_organisation(actor, slug: object = None) -> int:
    """The organisation a new record class, hold or list is for: the one named by ``slug``,
    or the only one whose records the actor sees. The action then checks the writing role."""
    organisations = organisations_for(actor)
    if slug is not None:
        if not isinstance(slug, str):
            raise ActionError("invalid_field", _("organisation is the slug of an organisation."))
        match = Organisation.objects.filter(pk__in=organisations, slug=slug).first()
        if match is None:
            raise RecordNotFound(slug)
        return match.pk
    if len(organisations) > 1:
        raise ActionError(
            "organisation_required",
            _("You work for more than one organisation: give organisation (the slug)."),
        )
    return organisations[0]


def record_classes_for(actor, organisation_id: int | None = None) -> QuerySet[RecordClass]:
    return RecordClass.objects.filter(
        organisation_id__in=_narrow(organisations_for(actor), organisation_id)
    ).select_related("organisation")


def record_class_choices(organisation_id: int) -> list[dict]:
    """The classes a conversation can be given (for the people who choose one)."""
    return list(
        RecordClass.objects.filter(organisation_id=organisation_id)
        .order_by("code")
        .values("id", "code", "name")
    )


def access_record_class(actor, record_class_id: object) -> RecordClass:
    return _one(record_classes_for(actor), record_class_id)


def retention_reviews_for(actor, organisation_id: int | None = None) -> QuerySet[RetentionReview]:
    return RetentionReview.objects.filter(
        organisation_id__in=_narrow(organisations_for(actor), organisation_id)
    ).select_related("organisation")


@dataclass(frozen=True)
class DueRow:
    """A due conversation with the active holds that block its destruction."""

    record: DueRecord
    holds: list[Hold]
    organisation: str  # its slug

    @property
    def conversation(self):
        return self.record.conversation

    @property
    def held(self) -> bool:
        return bool(self.holds)

    @property
    def held_because(self) -> str:
        return describe(self.holds)


def due_for(actor, organisation_id: int | None = None) -> list[DueRow]:
    """Closed conversations past their term (oldest due first), each marked when held."""
    rows: list[DueRow] = []
    organisations = _narrow(organisations_for(actor), organisation_id)
    slugs = dict(Organisation.objects.filter(pk__in=organisations).values_list("pk", "slug"))
    for organisation in organisations:
        due = due_conversations(organisation)
        held = holds_covering(organisation, [record.conversation.pk for record in due])
        rows.extend(
            DueRow(record, held.get(record.conversation.pk, []), slugs[organisation])
            for record in due
        )
    return rows


def holds_for(actor, organisation_id: int | None = None) -> QuerySet[Hold]:
    """Active holds first (newest first), then released ones (last released first)."""
    return (
        Hold.objects.filter(organisation_id__in=_narrow(organisations_for(actor), organisation_id))
        .select_related("organisation", "placed_by", "released_by")
        .order_by(F("released_at").desc(nulls_first=True), "-placed_at", "-id")
    )


def access_hold(actor, hold_id: object, *, audit: bool = True) -> Hold:
    """One hold; the read is in the audit log unless ``audit=False`` (a write: releasing it
    is in the archive)."""
    hold = _one(holds_for(actor), hold_id)
    if audit:
        record_read(
            actor,
            organisation_id=hold.organisation_id,
            action="hold.read",
            object_type="hold",
            object_id=hold.pk,
        )
    return hold


def record_holds_read(actor, holds: list[Hold], *, filters: dict | None = None) -> list[Hold]:
    """Audit a list of holds shown to staff (one entry per organisation with their ids)."""
    holds = list(holds)
    record_list_read(actor, holds, kind="hold", filters=filters or {})
    return holds


def record_destruction_lists_read(
    actor, lists: list[DestructionList], *, filters: dict | None = None
) -> list[DestructionList]:
    """Audit a list of destruction lists shown to staff."""
    lists = list(lists)
    record_list_read(actor, lists, kind="destruction_list", filters=filters or {})
    return lists


def destruction_lists_for(actor, organisation_id: int | None = None) -> QuerySet[DestructionList]:
    return (
        DestructionList.objects.filter(
            organisation_id__in=_narrow(organisations_for(actor), organisation_id)
        )
        .select_related("organisation", "proposed_by", "reviewed_by")
        .annotate(item_count=Count("items"))
    )


def access_destruction_list(actor, list_id: object, *, audit: bool = True) -> DestructionList:
    """One list with its items (in order); the read is in the audit log unless
    ``audit=False`` (a write: proposing, approving, rejecting are in the archive)."""
    items = Prefetch("items", queryset=DestructionItem.objects.order_by("pk"))
    found = _one(destruction_lists_for(actor).prefetch_related(items), list_id)
    if audit:
        record_read(
            actor,
            organisation_id=found.organisation_id,
            action="destruction_list.read",
            object_type="destruction_list",
            object_id=found.pk,
            detail={"items": len(found.items.all())},
        )
    return found


def require_record_class_chooser(actor, organisation_id: int) -> None:
    """Who chooses a conversation's record class: a person who handles conversations
    (agent, team lead, administrator) or a records manager; never an API key."""
    who = Actor.of(actor)
    if not who.is_person:
        raise RecordsNotAllowed(
            _("A person chooses the record class of a conversation, not an API key.")
        )
    if not who.has_role(organisation_id, WRITING_ROLES | RECORDS_ROLES):
        raise RecordsNotAllowed(
            _("With your role you cannot change the record class of a conversation.")
        )


def _narrow(organisations: list[int], organisation_id: int | None) -> list[int]:
    if organisation_id is None:
        return organisations
    return [pk for pk in organisations if pk == organisation_id]


def _one(qs: QuerySet, pk: object):
    parsed = id_from_outside(pk)
    found = qs.filter(pk=parsed).first() if parsed is not None else None
    if found is None:
        raise RecordNotFound(pk)
    return found
