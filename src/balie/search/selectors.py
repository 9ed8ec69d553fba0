"""Searching messages for an actor: scoped to what the actor may read, and audited.

Who sees what is :func:`balie.conversations.selectors.conversations_visible_to`: agents their
teams' conversations (and those without a team, and their own), organisation-wide roles and
API keys the whole organisation. Every search writes one entry to the audit log: the query,
the filters, the number of results and the conversations and messages on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import ORGANISATION_WIDE_ROLES
from balie.archive.audit import record_read
from balie.conversations.actions.checks import id_from_outside
from balie.conversations.models import Conversation, Direction, Message
from balie.conversations.selectors import (
    ConversationNotFound,
    conversations_visible_to,
    memberships_of,
    organisation_for,
)
from balie.search import backends
from balie.search.errors import NOT_FOUND, SearchError
from balie.search.models import SavedSearch, SearchEntry
from balie.search.params import SearchRequest, parse_search
from balie.search.text import snippet
from balie.tenants.models import Organisation

__all__ = [
    "Hit",
    "SavedSearchNotFound",
    "SearchPage",
    "access_saved_search",
    "conversation_ids_matching",
    "organisation_of",
    "saved_searches_of",
    "search_messages",
]


class SavedSearchNotFound(ConversationNotFound):
    """Not there, or someone else's: the API answers 404 as for any record."""


@dataclass(frozen=True)
class Hit:
    message_id: int
    conversation_id: int
    seq: int
    created_at: datetime
    direction: str
    author: str
    subject: str
    status: str
    team_id: int | None
    team: str | None
    snippet: str
    highlights: list[tuple[int, int]]


@dataclass(frozen=True)
class SearchPage:
    """One page of results. ``total`` is exact when ``exact``; otherwise there are at least
    that many (BALIE_SEARCH_MAX_RESULTS) and the pages go through that many only."""

    hits: list[Hit]
    total: int
    page: int
    page_size: int
    exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def search_messages(actor, organisation: Organisation, request: SearchRequest) -> SearchPage:
    """One page of the messages matching ``request`` that ``actor`` may read; audited."""
    base = _scoped(actor, organisation.pk, request)
    window = settings.SEARCH_MAX_RESULTS
    total, rows = _run(base, request, window=window)
    exact = total < window
    page = SearchPage(_hits(rows, request), total, request.page, request.page_size, exact)
    record_read(
        actor,
        organisation_id=organisation.pk,
        action="message.search",
        object_type="message",
        detail={
            "query": request.query.text,
            "filters": request.given,
            "sort": request.sort,
            "page": request.page,
            "results": total,
            "results_exact": exact,
            "ids": list(dict.fromkeys(hit.conversation_id for hit in page.hits)),
            "messages": [hit.message_id for hit in page.hits],
        },
    )
    return page


def conversation_ids_matching(
    saved_search: SavedSearch, *, whole_organisation: bool = False
) -> set[int]:
    """Every conversation with a message matching the saved search, as its owner sees it —
    or, with ``whole_organisation`` (a hold on the search), in the whole organisation.

    No pagination and no audit entry (only ids leave here; the caller records what it does
    with them, e.g. a legal hold).
    """
    request = parse_search(
        saved_search.organisation_id, {**saved_search.filters, "q": saved_search.query}
    )
    base = _scoped(
        saved_search.owner, saved_search.organisation_id, request, wide=whole_organisation
    )
    _total, rows = _run(base, request, window=None)
    return {conversation_id for _id, conversation_id in rows}


def organisation_of(actor, slug: str | None) -> Organisation:
    """The organisation to search in: the API key's own, the one ``slug`` names (when the
    actor is a member: else ConversationNotFound), or a user's only one."""
    key = Actor.of(actor).api_key
    if key is not None:
        if slug and slug != key.organisation.slug:
            raise ConversationNotFound(slug)
        return key.organisation
    if slug:
        return organisation_for(actor, slug)[0]
    memberships = list(memberships_of(actor)[:2])
    if len(memberships) != 1:
        if not memberships:
            raise ConversationNotFound("organisation")
        raise SearchError(
            "organisation_required",
            _("You work for more than one organisation: choose one (organisation)."),
            field="organisation",
        )
    return memberships[0].organisation


def saved_searches_of(user, organisation: Organisation) -> QuerySet[SavedSearch]:
    if not Actor.of(user).is_person:  # a key saves no searches
        return SavedSearch.objects.none()
    return SavedSearch.objects.for_organisation(organisation).filter(owner=user)


def access_saved_search(user, saved_search_id: object) -> SavedSearch:
    """One of the user's own saved searches, or SavedSearchNotFound."""
    pk = id_from_outside(saved_search_id)
    if not Actor.of(user).is_person or pk is None:
        raise SavedSearchNotFound(saved_search_id)
    found = SavedSearch.objects.filter(pk=pk, owner=user).first()
    if found is None:
        raise SavedSearchNotFound(saved_search_id)
    return found


def _scoped(
    actor, organisation_id: int, request: SearchRequest, *, wide: bool = False
) -> QuerySet[SearchEntry]:
    """The index entries of the messages the actor may read (``wide``: all of the
    organisation's) that pass the filters (not yet the words). Time, kind, status, channel,
    team and record class are the entry's own columns (the last four copies of the
    conversation's, see SearchEntry), and so are labels on PostgreSQL; contact, zaaknummer
    (and SQLite's labels) select conversations (one list, made once, that each match is
    looked up in)."""
    f = request.filters
    own = {
        "created_at__gte": f.since,
        "created_at__lt": f.until,
        "direction": f.direction,
        "status": f.status,
        "channel": f.channel,
        "team_id": f.team_id,
        "record_class_id": f.record_class_id,
    }
    qs = SearchEntry.objects.filter(
        organisation_id=organisation_id, **{k: v for k, v in own.items() if v is not None}
    )
    of_conversation = {"contact_id": f.contact_id, "case_reference": f.case_reference}
    conditions = Q(**{k: v for k, v in of_conversation.items() if v is not None})
    labels = backends.current().labels_condition(f.label_ids) if f.label_ids else None
    if labels is not None:
        qs = qs.filter(labels)  # the entry's copy (PostgreSQL)
    elif f.label_ids:
        tagged = Conversation.labels.through.objects.filter(label_id__in=f.label_ids)
        conditions &= Q(pk__in=tagged.values("conversation_id"))
    if conditions:
        chosen = Conversation.objects.filter(conditions, organisation_id=organisation_id)
        qs = qs.filter(conversation_id__in=chosen.values("pk"))
    actor = Actor.of(actor)  # asked up to twice: its memberships are read once
    if not wide and not _sees_whole_organisation(actor, organisation_id):
        # EXISTS, not IN: probing one conversation per matching message is cheaper than
        # building the list of every visible conversation first (38 -> 28 ms at 11,000).
        # (Organisation-wide roles skip it: ~1 µs a match saved on broad searches.)
        visible = conversations_visible_to(actor, organisation_id).filter(
            pk=OuterRef("conversation_id")
        )
        qs = qs.filter(Exists(visible.values("pk")))
    return qs.order_by()


def _few_conversations(request: SearchRequest) -> bool:
    """A contact or a zaaknummer: a handful of conversations, so a search is cheapest
    starting from their messages rather than from every match of the words."""
    return request.filters.contact_id is not None or request.filters.case_reference is not None


def _sees_whole_organisation(actor, organisation_id: int) -> bool:
    """Woo officers, records managers, team leads … and the organisation's own API keys see
    every conversation of it (the same rule as ``conversations_visible_to``)."""
    return organisation_id in Actor.of(actor).organisations(ORGANISATION_WIDE_ROLES)


def _run(entries: QuerySet[SearchEntry], request: SearchRequest, *, window: int | None):
    """(total, [(message id, conversation id)]): with a ``window``, the requested page of the
    newest ``window`` matches (``total`` then stops counting at the window); without, every
    match in no order.

    The window bounds the work of a broad search: the backend walks the index newest first
    and stops when the window is full, so ranking, counting and sorting touch at most
    ``window`` rows however many messages match.
    """
    backend = backends.current()
    query = request.query or None
    try:
        if not window:
            found = backend.every(entries, query, few=_few_conversations(request))
            return len(found), found
        offset = (request.page - 1) * request.page_size
        total, rows = backend.page(
            entries,
            query,
            window,
            request.sort == "relevance" and query is not None,
            (request.filters.since, request.filters.until),
            request.page_size,
            offset,
            few=_few_conversations(request),
        )
    except EmptyResultSet:
        total, rows = 0, []
    _check_page(request, total)
    return total, rows


def _check_page(request: SearchRequest, total: int) -> None:
    pages = max(1, -(-total // request.page_size))
    if request.page > pages:
        raise SearchError(
            "page_out_of_range",
            _("Page %(page)s does not exist: there is %(pages)s page.")
            if pages == 1
            else _("Page %(page)s does not exist: there are %(pages)s pages."),
            field="page",
            params={"page": request.page, "pages": pages},
            status=NOT_FOUND,
        )


def _hits(rows: list[tuple[int, int]], request: SearchRequest) -> list[Hit]:
    ids = [message_id for message_id, _ in rows]
    messages = Message.objects.filter(pk__in=ids).select_related(
        "author", "sent_by_api_key", "conversation__team", "conversation__contact"
    )
    by_id = {m.pk: m for m in messages}
    stems = request.query.highlight_stems()
    prefixes = request.query.highlight_prefixes()
    return [_hit(by_id[pk], stems, prefixes) for pk in ids if pk in by_id]


def _hit(message: Message, stems: frozenset[str], prefixes: tuple[str, ...]) -> Hit:
    conversation = message.conversation
    found = snippet(message.body, stems, prefixes)
    return Hit(
        message_id=message.pk,
        conversation_id=conversation.pk,
        seq=message.seq,
        created_at=message.created_at,
        direction=message.direction,
        author=_author(message),
        subject=conversation.subject,
        status=conversation.status,
        team_id=conversation.team_id,
        team=conversation.team.name if conversation.team else None,
        snippet=found.text,
        highlights=found.highlights,
    )


def _author(message: Message) -> str:
    if message.direction == Direction.INBOUND:
        return str(message.conversation.contact)
    if message.author is not None:
        return str(message.author)
    if message.sent_by_api_key is not None:
        return message.sent_by_api_key.name
    return "Systeem"
