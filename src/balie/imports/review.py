"""An upload under review in the console, chat by chat: what the proposal says of each chat
(work, private, doubt), what the official has chosen so far, and one page of one chat's
messages with their proposals. Read from the staged export on every request (two passes),
never kept: only message numbers are stored (:class:`ImportUpload`'s include/exclude).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from balie.imports.exports import Reviewed, context_for, proposals, review
from balie.imports.models import ImportUpload
from balie.imports.parsers.base import ParsedMessage
from balie.imports.selection import Proposal, Rules
from balie.imports.staging import export_of, rules_of

__all__ = ["ChatOverview", "Overview", "Row", "overview"]

PAGE_SIZE = 100


@dataclass
class ChatOverview:
    number: int  # its place in the export, for URLs (a chat's name is personal data)
    name: str
    messages: int = 0
    business: int = 0
    private: int = 0
    doubt: int = 0
    undecided: int = 0
    kept: int = 0
    first: datetime | None = None
    last: datetime | None = None
    indexes: list[int] = field(default_factory=list)
    doubtful: list[int] = field(default_factory=list)


@dataclass
class Row:
    message: ParsedMessage
    proposal: Proposal
    kept: bool
    undecided: bool
    changed: bool  # the official's choice differs from the proposal


@dataclass
class Overview:
    reviewed: Reviewed
    chats: list[ChatOverview]
    chat: ChatOverview  # the one shown
    rows: list[Row]
    page: int
    pages: int
    authors: list[str]

    @property
    def undecided(self) -> int:
        return sum(c.undecided for c in self.chats)

    @property
    def kept(self) -> int:
        return sum(c.kept for c in self.chats)

    def first_undecided(self) -> ChatOverview | None:
        return next((c for c in self.chats if c.undecided), None)


def overview(upload: ImportUpload, chat_number: int = 0, page: int = 1) -> Overview:
    """The whole upload's counts, and page ``page`` of chat ``chat_number``'s messages."""
    export = export_of(upload)
    reviewed = review(export)
    context = context_for(
        upload.organisation, upload.uploaded_by, upload.source,
        me=upload.me, family=upload.family,
    )  # fmt: skip
    rules: Rules = rules_of(upload)
    chats = {
        name: ChatOverview(n, name, first=summary.first, last=summary.last)
        for n, (name, summary) in enumerate(reviewed.summaries.items())
    }
    shown = next((c for c in chats.values() if c.number == chat_number), None)
    shown = shown or next(iter(chats.values()))
    start, stop = (page - 1) * PAGE_SIZE, page * PAGE_SIZE
    rows = []
    for message, chat, proposal in proposals(export, reviewed, context):
        counts = chats[chat]
        position = counts.messages
        counts.messages += 1
        counts.indexes.append(message.index)
        setattr(counts, proposal.verdict, getattr(counts, proposal.verdict) + 1)
        undecided = rules.undecided(message, chat, proposal)
        kept = not undecided and rules.selects(message, chat, proposal)
        counts.undecided += undecided
        counts.kept += kept
        if proposal.doubt:
            counts.doubtful.append(message.index)
        if counts is shown and start <= position < stop:
            changed = message.index in rules.include or message.index in rules.exclude
            rows.append(Row(message, proposal, kept, undecided, changed))
    pages = max(1, -(-shown.messages // PAGE_SIZE))
    authors = sorted({a for s in reviewed.summaries.values() for a in s.authors})
    return Overview(reviewed, list(chats.values()), shown, rows, min(page, pages), pages, authors)
