"""Saving and deleting searches (personal to the member of staff who saved them)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.conversations.actions import ActionError
from balie.search.models import SavedSearch
from balie.search.params import parse_search
from balie.tenants.models import Organisation

__all__ = ["do_delete_saved_search", "do_save_search", "register_deletion_guard"]

MAX_SAVED_PER_USER = 200


def do_save_search(
    owner, organisation: Organisation, *, name: object, query: object, filters: dict
) -> SavedSearch:
    """Keep a search under a name; the query and filters are checked as for a search
    (raises SearchError) and stored as given."""
    if not Actor.of(owner).is_person:
        raise ActionError("staff_only", _("Only a staff member can save searches, not an API key."))
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
        raise ActionError("invalid_name", _("Give a name of 1 to 100 characters."))
    if not isinstance(query, str):
        raise ActionError("invalid_query", _("The search query must be text."))
    request = parse_search(organisation.pk, {**filters, "q": query})
    with transaction.atomic():
        if SavedSearch.objects.filter(owner=owner).count() >= MAX_SAVED_PER_USER:
            raise ActionError(
                "too_many_saved",
                _("You have already saved %(limit)s searches; delete one first."),
                params={"limit": MAX_SAVED_PER_USER},
            )
        return SavedSearch.objects.create(
            organisation=organisation,
            owner=owner,
            name=name.strip(),
            query=query.strip(),
            filters={**request.given, "sort": request.sort},
        )


DeletionGuard = Callable[[SavedSearch], None]
_deletion_guards: list[DeletionGuard] = []


def register_deletion_guard(guard: DeletionGuard) -> None:
    """A layer above that refers to saved searches (records management's holds) registers a
    guard: called inside the deleting transaction, it raises ``ActionError`` to refuse, or
    lets go of its references."""
    if guard not in _deletion_guards:
        _deletion_guards.append(guard)


def do_delete_saved_search(saved_search: SavedSearch) -> None:
    """Delete it, unless a registered guard refuses (an active hold rests on it)."""
    with transaction.atomic():
        for guard in _deletion_guards:
            guard(saved_search)
        saved_search.delete()
