"""Record classes: the documented defaults, changes, and the class a conversation gets.

The defaults are a starting point (docs/guides/records.md); each organisation's records manager
adapts them to its own selectielijst. Every change is an archive event.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from balie.accounts.models import RECORDS_ROLES, WRITING_ROLES
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.archive.models import RecordClass, Trigger, Waardering
from balie.conversations.actions.errors import ActionError
from balie.conversations.models import Channel, Conversation, Team
from balie.records.permissions import require_role
from balie.records.terms import Retention
from balie.search.index import follow_conversations

# The classes a new organisation starts with. Terms follow common practice for customer
# contact in the Selectielijst gemeenten en intergemeentelijke organen; the records manager
# checks them against the organisation's own selectielijst.
DEFAULT_RECORD_CLASSES: list[dict[str, Any]] = [
    {
        "code": "KCC-VRAAG",
        "name": "Algemene vragen en informatie",
        "description": "Vragen die zonder zaak worden beantwoord (openingstijden, uitleg).",
        "retention": "P1Y",
        "trigger": Trigger.CLOSED,
        "waardering": Waardering.DESTROY,
        "is_default": True,
    },
    {
        "code": "KCC-MELDING",
        "name": "Meldingen openbare ruimte",
        "description": "Meldingen over afval, straatverlichting, overlast en dergelijke.",
        "retention": "P2Y",
        "trigger": Trigger.CLOSED,
        "waardering": Waardering.DESTROY,
    },
    {
        "code": "KCC-AANVRAAG",
        "name": "Contact over aanvragen en vergunningen",
        "description": "Gesprekken die bij een aanvraag, vergunning of uitkering horen.",
        "retention": "P10Y",
        "trigger": Trigger.CLOSED,
        "waardering": Waardering.DESTROY,
    },
    {
        "code": "KCC-KLACHT",
        "name": "Klachten en bezwaren",
        "description": "Klachten over de gemeente en contact over bezwaarschriften.",
        "retention": "P5Y",
        "trigger": Trigger.CLOSED,
        "waardering": Waardering.DESTROY,
    },
    {
        "code": "BESTUUR",
        "name": "Bestuurlijke aangelegenheden",
        "description": "Berichten van en aan bestuurders over bestuurlijke zaken.",
        "retention": "P20Y",
        "trigger": Trigger.CLOSED,
        "waardering": Waardering.KEEP,
    },
]


def do_seed_record_classes(organisation_id: int) -> list[RecordClass]:
    """Give an organisation the default classes (those it does not have yet)."""
    existing = set(
        RecordClass.objects.filter(organisation_id=organisation_id).values_list("code", flat=True)
    )
    has_default = RecordClass.objects.filter(
        organisation_id=organisation_id, is_default=True
    ).exists()
    new = [
        RecordClass(
            organisation_id=organisation_id,
            **{**spec, "is_default": bool(spec.get("is_default")) and not has_default},
        )
        for spec in DEFAULT_RECORD_CLASSES
        if spec["code"] not in existing
    ]
    RecordClass.objects.bulk_create(new)
    return new


EDITABLE = ("code", "name", "description", "selectielijst_reference", "retention", "trigger",
            "waardering", "is_default", "channels")  # fmt: skip


def _clean(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ActionError(
            "invalid_field",
            _("Unknown field: %(fields)s."),
            params={"fields": ", ".join(sorted(unknown))},
        )
    clean = dict(fields)
    for name, limit in (("code", 20), ("name", 200), ("selectielijst_reference", 200)):
        if name in clean:
            value = clean[name]
            if (
                not isinstance(value, str)
                or not value.strip()
                and name != "selectielijst_reference"
            ):
                raise ActionError(
                    "invalid_field",
                    _("%(name)s must be a (non-empty) text."),
                    params={"name": name},
                )
            clean[name] = " ".join(value.split())
            if len(clean[name]) > limit:
                raise ActionError(
                    "invalid_field",
                    _("%(name)s is too long (at most %(limit)s characters)."),
                    params={"name": name, "limit": limit},
                )
    if "description" in clean and not isinstance(clean["description"], str):
        raise ActionError(
            "invalid_field", _("%(name)s must be a text."), params={"name": "description"}
        )
    if "retention" in clean:
        Retention.parse(clean["retention"])
        clean["retention"] = clean["retention"].strip().upper()
    if "trigger" in clean and clean["trigger"] not in Trigger.values:
        raise ActionError(
            "invalid_field",
            _("%(name)s is one of: %(choices)s."),
            params={"name": "trigger", "choices": ", ".join(Trigger.values)},
        )
    if "waardering" in clean and clean["waardering"] not in Waardering.values:
        raise ActionError(
            "invalid_field",
            _("%(name)s is one of: %(choices)s."),
            params={"name": "waardering", "choices": ", ".join(Waardering.values)},
        )
    if "is_default" in clean and not isinstance(clean["is_default"], bool):
        raise ActionError("invalid_field", _("is_default must be true or false."))
    if "channels" in clean:
        channels = clean["channels"]
        if not isinstance(channels, list) or not all(c in Channel.values for c in channels):
            raise ActionError(
                "invalid_field",
                _("channels is a list from: %(choices)s."),
                params={"choices": ", ".join(Channel.values)},
            )
        clean["channels"] = sorted(set(channels))
    return clean


def _snapshot(record_class: RecordClass) -> dict:
    return {name: getattr(record_class, name) for name in EDITABLE}


def do_save_record_class(
    organisation_id: int, *, actor, record_class: RecordClass | None = None, **fields
) -> RecordClass:
    """Create a record class (``record_class=None``) or change one; archived as an event."""
    require_role(
        actor, organisation_id, RECORDS_ROLES,
        _("Only a records manager or administrator manages retention periods."),
    )  # fmt: skip
    if record_class is not None and record_class.organisation_id != organisation_id:
        raise ActionError("not_found", _("This record class does not belong to this organisation."))
    clean = _clean(fields)
    if record_class is None:
        missing = {"code", "name", "retention"} - clean.keys()
        if missing:
            raise ActionError(
                "missing_field",
                _("Required: %(fields)s."),
                params={"fields": ", ".join(sorted(missing))},
            )
    with transaction.atomic():
        if record_class is None:
            record_class = RecordClass(organisation_id=organisation_id)
        before = _snapshot(record_class) if record_class.pk else None
        code = clean.get("code", record_class.code)
        clash = RecordClass.objects.filter(organisation_id=organisation_id, code=code)
        if record_class.pk:
            clash = clash.exclude(pk=record_class.pk)
        if clash.exists():
            raise ActionError(
                "duplicate_code",
                _("There already is a record class with code %(code)s."),
                params={"code": code},
            )
        for name, value in clean.items():
            setattr(record_class, name, value)
        if clean.get("is_default"):
            RecordClass.objects.filter(organisation_id=organisation_id, is_default=True).exclude(
                pk=record_class.pk
            ).update(is_default=False)
        if record_class.channels:  # a channel has one default class
            for other in RecordClass.objects.filter(organisation_id=organisation_id).exclude(
                pk=record_class.pk
            ):
                remaining = [c for c in other.channels if c not in record_class.channels]
                if remaining != other.channels:
                    RecordClass.objects.filter(pk=other.pk).update(channels=remaining)
        record_class.save()
        record_event(
            organisation_id=organisation_id,
            event_type="record_class.saved",
            payload={"record_class": record_class.pk, "before": before,
                     "after": _snapshot(record_class)},
            actor=actor_ref(actor),
        )  # fmt: skip
    return record_class


def record_class_for(
    organisation_id: int, *, team: Team | None, channel: str
) -> RecordClass | None:
    """The class a new conversation gets: its team's, else its channel's, else the default."""
    if team is not None and team.record_class_id is not None:
        return team.record_class
    classes = list(RecordClass.objects.filter(organisation_id=organisation_id))
    for record_class in classes:
        if channel in record_class.channels:
            return record_class
    return next((c for c in classes if c.is_default), None)


def do_set_record_class(
    conversation: Conversation, *, actor, record_class_id: object
) -> Conversation:
    """A person chooses the conversation's record class (agents, records managers)."""
    require_role(
        actor, conversation.organisation_id, WRITING_ROLES | RECORDS_ROLES,
        _("Only those who handle conversations or manage records choose the record class."),
    )  # fmt: skip
    if isinstance(record_class_id, bool) or not isinstance(record_class_id, int):
        raise ActionError(
            "invalid_record_class", _("record_class must be the id of a record class.")
        )
    record_class = RecordClass.objects.filter(
        organisation_id=conversation.organisation_id, pk=record_class_id
    ).first()
    if record_class is None:
        raise ActionError(
            "invalid_record_class", _("This record class does not exist in this organisation.")
        )
    if conversation.destroyed_at is not None:
        raise ActionError("destroyed", _("This conversation has been destroyed."))
    with transaction.atomic():
        previous = conversation.record_class_id
        Conversation.objects.filter(pk=conversation.pk).update(
            record_class=record_class, record_class_chosen=True
        )
        follow_conversations([conversation.pk])  # the search index's copy
        conversation.record_class, conversation.record_class_chosen = record_class, True
        if previous != record_class.pk:
            record_event(
                organisation_id=conversation.organisation_id,
                conversation_id=conversation.pk,
                event_type="conversation.record_class_changed",
                payload={"from": previous, "to": record_class.pk, "code": record_class.code},
                actor=actor_ref(actor),
            )
    return conversation


def seed_on_creation(sender, *, organisation, **kwargs) -> None:
    """A new organisation gets the default classes (connected to ``organisation_created``)."""
    do_seed_record_classes(organisation.pk)
