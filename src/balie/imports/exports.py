"""Reading an export for an import: which file and how to read it, the first pass over its
chats, and the proposal for each message (:mod:`balie.imports.selection`) in the second.

An export is read several times, never kept in memory whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from balie.accounts.models import Membership
from balie.errors import Invalid
from balie.imports import parsers
from balie.imports.models import ImportedChat, Source
from balie.imports.parsers.base import Limits, ParsedMessage
from balie.imports.selection import ChatSummary, Context, Proposal, Proposer, summarize
from balie.search.text import fold

__all__ = ["Export", "ImportRefused", "Reviewed", "context_for", "limits", "proposals", "review"]


class ImportRefused(Invalid):
    """The import cannot go ahead: ``ImportRefused(code, message)``."""


@dataclass(frozen=True)
class Export:
    """An export file on disk and how to read it."""

    path: Path
    source: str
    file_name: str
    time_zone: str = "Europe/Amsterdam"
    date_order: str | None = None  # WhatsApp only: "dmy", "mdy" or "ymd"
    owner_name: str = ""  # SMS only: how the official's own messages are signed

    def parse(self) -> parsers.ParsedChat:
        options: dict = {"time_zone": self.time_zone, "limits": limits()}
        if self.source == Source.WHATSAPP:
            options["date_order"] = self.date_order
        if self.source == Source.SMS:
            options["owner_name"] = self.owner_name
        if self.source not in Source.values:
            raise ImportRefused(
                "unknown_source",
                _("Unknown kind of export: %(source)s."),
                params={"source": self.source},
            )
        return parsers.parse(self.path, self.source, file_name=self.file_name, **options)


def limits() -> Limits:
    return Limits(max_bytes=settings.IMPORT_MAX_BYTES)


@dataclass
class Reviewed:
    """An export read once: its chats, and what it is."""

    format: str
    title: str
    time_zone: str
    summaries: dict[str, ChatSummary]
    messages: int
    warnings: list[str] = field(default_factory=list)


def review(export: Export) -> Reviewed:
    """The first pass: every chat with its authors and counts (no text is kept)."""
    chat = export.parse()
    summaries = summarize(chat.messages, chat.title)
    return Reviewed(
        chat.format,
        chat.title,
        chat.time_zone,
        summaries,
        sum(s.messages for s in summaries.values()),
        list(chat.warnings),
    )


def context_for(
    organisation, owner, source: str, *, me: Iterable[str] = (), family: Iterable[str] = ()
) -> Context:
    """What the proposal knows: the organisation's staff, the official's names in the export
    (``me``) and the authors they marked as family, and their earlier choices."""
    colleagues = {}
    members = Membership.objects.filter(organisation=organisation).select_related("user")
    for membership in members.exclude(user=owner):
        name = membership.user.get_full_name().strip()
        if name:
            colleagues[fold(name)] = name
    earlier = ImportedChat.objects.filter(
        organisation=organisation, owner=owner, source=source, conversation__last_seq__gt=0
    ).values_list("chat_key", flat=True)
    return Context(
        colleagues=colleagues,
        me=frozenset(fold(name) for name in me),
        family=frozenset(fold(name) for name in family),
        earlier_chats=frozenset(earlier),
        source=source,
    )


def proposals(
    export: Export, reviewed: Reviewed, context: Context
) -> Iterator[tuple[ParsedMessage, str, Proposal]]:
    """The second pass: every message with its chat and the proposal for it."""
    proposer = Proposer(reviewed.summaries, context)
    for message in export.parse().messages:
        chat = message.chat or reviewed.title
        yield message, chat, proposer(message, chat)
