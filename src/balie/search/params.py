"""A search request from outside (API query string, console form, CLI options), checked.

One parser for all three, so they accept the same names and say the same things about bad
input: :func:`parse_search` raises :class:`SearchError` with the field it is about.

Names: ``q``, ``from``, ``to`` (date ``YYYY-MM-DD``, through that whole day, or an ISO 8601
moment), ``channel``, ``team`` (id), ``contact`` (id), ``status``, ``label`` (name; several:
any of them), ``case_reference`` (exact), ``record_class`` (id), ``direction`` (resident,
agent, note), ``sort`` (relevance, date), ``page`` (from 1), ``page_size`` (1–100, default 20).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from balie.archive.models import RecordClass
from balie.conversations.actions.checks import MAX_INT
from balie.conversations.models import Channel, Contact, Direction, Label, Status, Team
from balie.search.errors import NOT_FOUND, SearchError
from balie.search.query import ParsedQuery, parse_query

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DIRECTIONS",
    "FILTER_NAMES",
    "MAX_PAGE",
    "MAX_PAGE_SIZE",
    "SORTS",
    "Filters",
    "SearchRequest",
    "parse_search",
]

DEFAULT_PAGE_SIZE = 20
_DIGITS = re.compile(r"^[0-9]{1,19}$")
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000  # far past any result window (BALIE_SEARCH_MAX_RESULTS)
MAX_LABELS = 20
SORTS = ("relevance", "date")
DIRECTIONS = {"resident": Direction.INBOUND, "agent": Direction.OUTBOUND, "note": Direction.NOTE}
FILTER_NAMES = (
    "from",
    "to",
    "channel",
    "team",
    "contact",
    "status",
    "label",
    "case_reference",
    "record_class",
    "direction",
)


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None  # at or after
    until: datetime | None = None  # before
    channel: str | None = None
    team_id: int | None = None
    contact_id: int | None = None
    status: str | None = None
    label_ids: tuple[int, ...] = ()
    case_reference: str | None = None
    record_class_id: int | None = None
    direction: str | None = None  # a Direction value

    def __bool__(self) -> bool:
        return any(value not in (None, ()) for value in self.__dict__.values())


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    filters: Filters
    sort: str = "relevance"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    # The filters as given (cleaned strings): for the audit log and saved searches.
    given: dict = field(default_factory=dict)


def parse_search(
    organisation_id: int, data: Mapping, *, explain_empty: bool = True
) -> SearchRequest:
    """Check ``data`` (a QueryDict or a dict of strings / lists of strings).

    ``explain_empty``: refuse, with a sentence for the person who typed it, a search without
    query or filter (``empty_query``) and a period that ends before it starts
    (``invalid_period``). The API passes False: its contract cannot state rules across
    parameters, so there the first lists the newest messages and the second finds nothing."""
    get = _Getter(data)
    query = parse_query(get.one("q"))
    filters = Filters(
        since=_moment(get.one("from"), "from", end_of_day=False),
        until=_moment(get.one("to"), "to", end_of_day=True),
        channel=_choice(get.one("channel"), "channel", Channel.values),
        team_id=_owned(Team, organisation_id, get.one("team"), "team"),
        contact_id=_owned(Contact, organisation_id, get.one("contact"), "contact"),
        status=_choice(get.one("status"), "status", Status.values),
        label_ids=_labels(organisation_id, get.many("label")),
        case_reference=get.one("case_reference") or None,
        record_class_id=_owned(
            RecordClass, organisation_id, get.one("record_class"), "record_class"
        ),
        direction=DIRECTIONS.get(_choice(get.one("direction"), "direction", DIRECTIONS) or ""),
    )
    if explain_empty and filters.since and filters.until and filters.since >= filters.until:
        raise SearchError(
            "invalid_period", _("The date 'from' is after the date 'to'."), field="to"
        )
    if explain_empty and not query and not filters:
        raise SearchError(
            "empty_query", _("Give a search query, or choose at least one filter."), field="q"
        )
    return SearchRequest(
        query=query,
        filters=filters,
        sort=_choice(get.one("sort"), "sort", SORTS) or ("relevance" if query else "date"),
        page=_number(get.one("page"), "page", default=1, maximum=MAX_PAGE),
        page_size=_number(
            get.one("page_size"), "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE
        ),
        given={name: value for name in FILTER_NAMES if (value := get.given(name))},
    )


class _Getter:
    def __init__(self, data: Mapping) -> None:
        self.data = data

    def many(self, name: str) -> list[str]:
        if hasattr(self.data, "getlist"):
            values = self.data.getlist(name)
        else:
            value = self.data.get(name)
            values = value if isinstance(value, list | tuple) else [value]
        return [str(v).strip() for v in values if v is not None and str(v).strip()]

    def one(self, name: str) -> str:
        values = self.many(name)
        return values[-1] if values else ""

    def given(self, name: str):
        return self.many(name) if name == "label" else self.one(name)


# Where a date at the edge of the calendar (0001-01-01 with a positive offset, the end of
# 9999-12-31) would leave it, the period has no bound on that side.
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def _moment(value: str, name: str, *, end_of_day: bool) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
        moment = parse_datetime(value) if day is None else None
    except ValueError:
        day = moment = None
    if day is not None:
        moment, later = datetime.combine(day, time.min), timedelta(days=1)
    elif moment is not None:
        later = timedelta(microseconds=1)
    else:
        raise SearchError(
            "invalid_date",
            _("'%(value)s' is not a date: use YYYY-MM-DD or an ISO 8601 moment."),
            field=name,
            params={"value": value[:40]},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        moment = moment.astimezone(UTC)
        return moment + later if end_of_day else moment
    except OverflowError:
        return _EARLIEST if moment.year == 1 else _LATEST


def _choice(value: str, name: str, choices) -> str | None:
    if not value:
        return None
    if value not in choices:
        raise SearchError(
            f"invalid_{name}",
            _("Unknown value '%(value)s' for %(name)s; choose from %(choices)s."),
            field=name,
            params={"value": value[:40], "name": name, "choices": ", ".join(choices)},
        )
    return value


_UNKNOWN = {
    "team": _("Team '%(value)s' does not exist in this organisation."),
    "contact": _("Contact '%(value)s' does not exist in this organisation."),
    "record_class": _("Record class '%(value)s' does not exist in this organisation."),
}


def _owned(model, organisation_id: int, value: str, name: str) -> int | None:
    if not value:
        return None
    if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= MAX_INT:
        raise SearchError(
            f"unknown_{name}", _UNKNOWN[name], field=name, params={"value": value[:40]}
        )
    if not model.objects.filter(organisation_id=organisation_id, pk=int(value)).exists():
        raise SearchError(
            f"unknown_{name}",
            _UNKNOWN[name],
            field=name,
            params={"value": value[:40]},
            status=NOT_FOUND,
        )
    return int(value)


def _labels(organisation_id: int, names: list[str]) -> tuple[int, ...]:
    if not names:
        return ()
    if len(names) > MAX_LABELS:
        raise SearchError(
            "too_many_labels",
            _("Choose at most %(limit)s labels."),
            field="label",
            params={"limit": MAX_LABELS},
        )
    found = dict(
        Label.objects.filter(organisation_id=organisation_id, name__in=names).values_list(
            "name", "pk"
        )
    )
    unknown = [name for name in names if name not in found]
    if unknown:
        raise SearchError(
            "unknown_label",
            _("Label '%(value)s' does not exist in this organisation."),
            field="label",
            params={"value": unknown[0][:60]},
            status=NOT_FOUND,
        )
    return tuple(sorted(set(found.values())))


def _number(value: str, name: str, *, default: int, maximum: int | None) -> int:
    if not value:
        return default
    if (
        not _DIGITS.fullmatch(value)
        or int(value) < 1
        or (maximum is not None and int(value) > maximum)
    ):
        raise SearchError(
            f"invalid_{name}",
            _("%(name)s must be a whole number from 1 to %(maximum)s.")
            if maximum
            else _("%(name)s must be a whole number of 1 or more."),
            field=name,
            params={"name": name, "maximum": maximum},
        )
    return int(value)
