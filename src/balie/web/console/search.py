"""Searching messages from the console: the form with filters, highlighted results, pages,
and the user's saved searches. Everything is checked and run by ``balie.search``."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from balie.archive.models import RecordClass
from balie.conversations import selectors
from balie.conversations.actions import ActionError
from balie.conversations.models import Channel, Status
from balie.search import actions
from balie.search.errors import SearchError
from balie.search.params import DIRECTIONS, FILTER_NAMES, SORTS, parse_search
from balie.search.selectors import (
    SavedSearchNotFound,
    access_saved_search,
    saved_searches_of,
    search_messages,
)
from balie.web.console.inbox import organisation_or_404
from balie.web.console.labels import DIRECTION_LABELS, SORT_LABELS, STATUS_LABELS
from balie.web.console.pages import render_page

FORM_NAMES = ("q", *FILTER_NAMES, "sort", "page_size")


@login_required
@require_GET
def search(request, slug: str):
    organisation, _role = organisation_or_404(request.user, slug)
    data = _with_labels_split(request.GET)
    searched = any(data.get(name) for name in FORM_NAMES)
    page, error = None, None
    if searched:
        try:
            request_ = parse_search(organisation.pk, data)
            page = search_messages(request.user, organisation, request_)
        except SearchError as problem:
            error = problem
    return _render(request, organisation, page=page, error=error, searched=searched)


@login_required
@require_POST
def save(request, slug: str):
    organisation, _role = organisation_or_404(request.user, slug)
    filters = _with_labels_split(request.POST)
    given = {
        name: filters.getlist(name) if name == "label" else filters.get(name, "")
        for name in FILTER_NAMES
        if filters.getlist(name)
    }
    try:
        actions.do_save_search(
            request.user,
            organisation,
            name=request.POST.get("name", ""),
            query=request.POST.get("q", ""),
            filters={**given, "sort": request.POST.get("sort", "")},
        )
    except (SearchError, ActionError) as problem:
        return _render(request, organisation, error=problem, searched=False, status=400)
    return redirect(_search_url(slug, {"q": request.POST.get("q", ""), **given}))


@login_required
@require_POST
def delete_saved(request, slug: str, saved_search_id: int):
    organisation_or_404(request.user, slug)
    # Already gone, or never the user's: nothing to do.
    with contextlib.suppress(SavedSearchNotFound):
        actions.do_delete_saved_search(access_saved_search(request.user, saved_search_id))
    return redirect(reverse("console:search", args=[slug]))


def _render(request, organisation, *, page=None, error=None, searched, status=200):
    source = _with_labels_split(request.GET if request.method == "GET" else request.POST)
    form = {name: source.get(name, "") for name in FORM_NAMES}
    form["label"] = source.getlist("label")
    query = source.copy()
    query.pop("page", None)
    saved = [
        (item, _search_url(organisation.slug, {"q": item.query, **item.filters}))
        for item in saved_searches_of(request.user, organisation)
    ]
    context = {
        "organisation": organisation,
        "form": form,
        "searched": searched,
        "page": page,
        "hits": [_hit(hit, organisation.slug) for hit in page.hits] if page else [],
        "error": error,
        "query": query.urlencode(),
        "saved": saved,
        "teams": selectors.teams_of(organisation.pk),
        "label_names": selectors.label_names_of(organisation.pk),
        "record_classes": RecordClass.objects.for_organisation(organisation).order_by("code"),
        "channels": Channel.choices,
        "statuses": [(value, STATUS_LABELS[value]) for value in Status.values],
        "directions": [(value, DIRECTION_LABELS[value]) for value in DIRECTIONS],
        "sorts": [(value, SORT_LABELS[value]) for value in SORTS],
    }
    return render_page(request, "console/search.html", context, status=status)


def _hit(hit, slug: str) -> dict:
    """A hit for the template: the snippet in pieces, the matches marked (escaped there)."""
    pieces, at = [], 0
    for start, end in hit.highlights:
        pieces += [(hit.snippet[at:start], False), (hit.snippet[start:end], True)]
        at = end
    pieces.append((hit.snippet[at:], False))
    return {
        "hit": hit,
        "pieces": [(text, marked) for text, marked in pieces if text],
        "direction": DIRECTION_LABELS[_DIRECTION_NAMES[hit.direction]],
        "status": STATUS_LABELS[hit.status],
        "url": reverse("console:inbox", args=[slug]) + f"?status=all&open={hit.conversation_id}",
    }


def _with_labels_split(data: QueryDict) -> QueryDict:
    """The form has one labels field, comma-separated; the search takes one label a value."""
    copy = data.copy()
    parts = [part.strip() for value in data.getlist("label") for part in value.split(",")]
    copy.setlist("label", [part for part in parts if part])
    return copy


_DIRECTION_NAMES = {value: name for name, value in DIRECTIONS.items()}


def _search_url(slug: str, params: dict) -> str:
    pairs = [
        (name, v)
        for name, value in params.items()
        for v in (value if isinstance(value, list) else [value])
        if v
    ]
    return reverse("console:search", args=[slug]) + "?" + urlencode(pairs)
