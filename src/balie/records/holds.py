"""Holds: placing and releasing them, and which conversations they cover.

A legal hold (juridische bewaarplicht) or an open Woo request blocks the destruction of what it
covers, however far past its term a record is. Placing and releasing are archive events.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from balie.accounts.models import HOLD_ROLES
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.archive.models import Hold, HoldKind, HoldScope
from balie.conversations.actions.checks import checked_text
from balie.conversations.actions.errors import ActionError
from balie.conversations.models import Contact, Conversation
from balie.records.permissions import require_role
from balie.search.models import SavedSearch
from balie.search.selectors import conversation_ids_matching

_NOT_ALLOWED = _("Only a records manager, Woo coordinator or administrator places holds.")


def do_place_hold(
    organisation_id: int,
    *,
    actor,
    kind: object,
    scope: object,
    target_id: object,
    reference: object,
    reason: object,
) -> Hold:
    require_role(actor, organisation_id, HOLD_ROLES, _NOT_ALLOWED)
    if kind not in HoldKind.values:
        raise ActionError(
            "invalid_field",
            _("%(name)s is one of: %(choices)s."),
            params={"name": "kind", "choices": ", ".join(HoldKind.values)},
        )
    if scope not in HoldScope.values:
        raise ActionError(
            "invalid_field",
            _("%(name)s is one of: %(choices)s."),
            params={"name": "scope", "choices": ", ".join(HoldScope.values)},
        )
    if isinstance(target_id, bool) or not isinstance(target_id, int):
        raise ActionError("invalid_field", _("target must be an id (a number)."))
    fields: dict = {}
    if scope == HoldScope.CONVERSATION:
        fields["conversation"] = Conversation.objects.filter(
            organisation_id=organisation_id, pk=target_id
        ).first()
    elif scope == HoldScope.CONTACT:
        fields["contact"] = Contact.objects.filter(
            organisation_id=organisation_id, pk=target_id
        ).first()
    else:
        fields["saved_search"] = _saved_search(organisation_id, target_id)
    if not any(fields.values()):
        raise ActionError(
            "invalid_target", _("This conversation, contact or saved search does not exist.")
        )
    with transaction.atomic():
        hold = Hold.objects.create(
            organisation_id=organisation_id,
            kind=kind,
            scope=scope,
            reference=checked_text(reference, "reference", 100),
            reason=checked_text(reason, "reason", 2000),
            placed_by=actor,
            placed_at=timezone.now(),
            **fields,
        )
        record_event(
            organisation_id=organisation_id,
            conversation_id=hold.conversation_id,
            event_type="hold.placed",
            payload={"hold": hold.pk, "kind": kind, "scope": scope, "target": target_id,
                     "reference": hold.reference},
            actor=actor_ref(actor),
        )  # fmt: skip
    return hold


def do_release_hold(hold: Hold, *, actor, reason: object) -> Hold:
    require_role(actor, hold.organisation_id, HOLD_ROLES, _NOT_ALLOWED)
    if hold.released_at is not None:
        raise ActionError("already_released", _("This hold has already been released."))
    with transaction.atomic():
        hold.released_by = actor
        hold.released_at = timezone.now()
        hold.release_reason = checked_text(reason, "reason", 2000)
        hold.save(update_fields=["released_by", "released_at", "release_reason"])
        record_event(
            organisation_id=hold.organisation_id,
            conversation_id=hold.conversation_id,
            event_type="hold.released",
            payload={"hold": hold.pk, "reason": hold.release_reason},
            actor=actor_ref(actor),
        )
    return hold


def _saved_search(organisation_id: int, saved_search_id: int):
    return SavedSearch.objects.filter(organisation_id=organisation_id, pk=saved_search_id).first()


def holds_covering(organisation_id: int, conversation_ids: Iterable[int]) -> dict[int, list[Hold]]:
    """{conversation id: the active holds covering it}, for the given conversations."""
    ids = set(conversation_ids)
    if not ids:
        return {}
    active = list(
        Hold.objects.filter(organisation_id=organisation_id, released_at__isnull=True).filter(
            Q(conversation_id__in=ids)
            | Q(scope=HoldScope.CONTACT)
            | Q(scope=HoldScope.SAVED_SEARCH)
        )
    )
    covered: dict[int, list[Hold]] = {}
    contact_holds = [h for h in active if h.scope == HoldScope.CONTACT]
    contact_of = (
        dict(Conversation.objects.filter(pk__in=ids).values_list("pk", "contact_id"))
        if contact_holds
        else {}
    )
    for hold in active:
        if hold.scope == HoldScope.CONVERSATION:
            hits = {hold.conversation_id} & ids
        elif hold.scope == HoldScope.CONTACT:
            hits = {pk for pk, contact in contact_of.items() if contact == hold.contact_id}
        else:
            hits = _saved_search_matches(hold) & ids
        for pk in hits:
            covered.setdefault(pk, []).append(hold)
    return covered


def _saved_search_matches(hold: Hold) -> set[int]:
    if hold.saved_search is None:
        return set()
    # The whole organisation: a hold must not shrink when its author changes teams.
    return conversation_ids_matching(hold.saved_search, whole_organisation=True)


def _lower_text(text) -> str:
    return str(text).lower()


# Lower-cased when the message is shown, in the reader's language.
_lower = lazy(_lower_text, str)


def describe(holds: list[Hold]) -> str:
    """'Woo-verzoek WOO-2026-014; juridische bewaarplicht ZAAK-7' — why something is blocked."""
    return "; ".join(f"{hold.get_kind_display()} {hold.reference}" for hold in holds)


def release_saved_search(saved_search: SavedSearch) -> None:
    """Before a saved search is deleted: refuse while an active hold (legal hold, Woo request)
    rests on it; released holds let go of it. Registered with the search actions."""
    hold = Hold.objects.filter(saved_search=saved_search, released_at__isnull=True).first()
    if hold is not None:
        raise ActionError(
            "held",
            _("A %(kind)s (%(reference)s) rests on this saved search; release it first."),
            params={"kind": _lower(HoldKind(hold.kind).label), "reference": hold.reference},
        )
    Hold.objects.filter(saved_search=saved_search).update(saved_search=None)
