"""Running a search in tests as the selectors do for the API, console and CLI."""

from __future__ import annotations

from balie.search.params import parse_search
from balie.search.selectors import search_messages


def search(actor, organisation, q="", **params):
    request = parse_search(organisation.pk, {"q": q, **params})
    return search_messages(actor, organisation, request)


def found(actor, organisation, q="", **params) -> list[str]:
    """The bodies found, in the order given."""
    from balie.conversations.models import Message

    page = search(actor, organisation, q, **params)
    bodies = dict(
        Message.objects.filter(pk__in=[h.message_id for h in page.hits]).values_list("pk", "body")
    )
    return [bodies[h.message_id] for h in page.hits]


def ids(actor, organisation, q="", **params) -> set[int]:
    return {h.message_id for h in search(actor, organisation, q, **params).hits}
