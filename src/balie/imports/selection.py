"""Which imported messages are business (bestuurlijke aangelegenheid): a proposal with a
reason per message, and the official's rules on top of it. Never a decision by itself.

The proposal looks at:

- the message: does it mention the municipality's matters (the organisation's name, words
  of local government such as "raad", "wethouder", "vergunning", "besluit", a case number,
  the organisation's teams and labels)?
- the chat: are colleagues (staff of the organisation, by name) in it? Did the official
  choose this chat as business in an earlier import?
- the time: sent on a weekday within working hours (08:00–18:00 where the official is)?

A message is proposed when it mentions a matter, when the chat was chosen before, or when a
colleague is in the chat and it was sent within working hours. Everything is shown to the
official with its reasons, in plain language (gettext: in the language active when the
proposal is made; reasons are never stored); the official's choice is what counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext

from balie.imports.models import chat_key_of
from balie.imports.parsers.base import Kind, ParsedMessage
from balie.search.text import fold

__all__ = [
    "ChatSummary",
    "Context",
    "Proposal",
    "Rules",
    "propose",
    "summarize",
]

# Words of local government (folded, matched as the start of a word).
MATTERS = (
    "gemeente", "raad", "raadslid", "raadsleden", "college", "wethouder", "burgemeester",
    "griffie", "griffier", "ambtena", "motie", "amendement", "besluit", "vergunning",
    "omgevingsvergunning", "subsidie", "begroting", "bestemmingsplan", "omgevingsplan",
    "woo", "wob", "beleid", "vergadering", "commissie", "handhaving", "inspraak",
    "aanbesteding", "bezwaar", "zienswijze", "coalitie", "portefeuille", "raadsvoorstel",
    "collegevoorstel", "verordening", "afval", "parkeer",
)  # fmt: skip
CASE_NUMBER = re.compile(r"\b[a-z]{1,4}-?\d{4}-\d{2,}\b")
WORK_START, WORK_END = 8, 18


@dataclass(frozen=True)
class Context:
    """What the proposal knows about the organisation and the official."""

    matters: tuple[str, ...] = MATTERS
    colleagues: dict[str, str] = field(default_factory=dict)  # folded name -> shown name
    earlier_chats: frozenset[str] = frozenset()  # chat keys chosen as business before
    source: str = ""

    def matter_in(self, text: str) -> str | None:
        folded = fold(text)
        found = CASE_NUMBER.search(folded)
        if found:
            return found.group(0).upper()
        for word in re.findall(r"[^\W_]+", folded):
            for matter in self.matters:
                if word.startswith(matter):
                    return word
        return None


@dataclass
class ChatSummary:
    """One chat of an export, from a first pass over it."""

    chat: str
    messages: int = 0
    authors: Counter = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None

    def add(self, message: ParsedMessage) -> None:
        self.messages += 1
        if message.author:
            self.authors[message.author] += 1
        if self.first is None or message.timestamp < self.first:
            self.first = message.timestamp
        if self.last is None or message.timestamp > self.last:
            self.last = message.timestamp


@dataclass(frozen=True)
class Proposal:
    business: bool
    reasons: tuple[str, ...]


def summarize(messages: Iterable[ParsedMessage], default_chat: str) -> dict[str, ChatSummary]:
    summaries: dict[str, ChatSummary] = {}
    for message in messages:
        chat = message.chat or default_chat
        summaries.setdefault(chat, ChatSummary(chat)).add(message)
    return summaries


def propose(message: ParsedMessage, summary: ChatSummary, context: Context) -> Proposal:
    reasons = []
    chosen_before = chat_key_of(context.source, summary.chat) in context.earlier_chats
    if chosen_before:
        reasons.append(gettext("You chose this chat as a work chat before."))
    colleagues = sorted(
        context.colleagues[fold(a)] for a in summary.authors if fold(a) in context.colleagues
    )
    if colleagues:
        reasons.append(
            gettext("Colleague in this chat: %(names)s.") % {"names": ", ".join(colleagues[:3])}
        )
    matter = context.matter_in(message.text) if message.kind != Kind.SYSTEM else None
    if matter:
        reasons.append(gettext("About municipal matters: '%(matter)s'.") % {"matter": matter})
    local = message.timestamp
    working = local.weekday() < 5 and WORK_START <= local.hour < WORK_END
    reasons.append(
        gettext("Sent during working hours.") if working else gettext("Sent outside working hours.")
    )
    business = bool(matter) or chosen_before or (bool(colleagues) and working)
    if not business:
        reasons.insert(0, gettext("No municipal matters found."))
    return Proposal(business, tuple(reasons))


@dataclass(frozen=True)
class Rules:
    """The official's choice on top of the proposal (the CLI's --select and filters; the
    console's check boxes become ``include``/``exclude``).

    ``base``: "proposal" (what the proposal says), "all" or "none". Then only messages in
    ``chats`` (when given) and in the period count, and ``include``/``exclude`` (message
    indexes) override everything.
    """

    base: str = "proposal"
    chats: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None  # through this day
    include: frozenset[int] = frozenset()
    exclude: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.base not in ("proposal", "all", "none"):
            raise ValueError(f"--select is proposal, all or none, not {self.base!r}")

    def selects(self, message: ParsedMessage, chat: str, proposal: Proposal) -> bool:
        if message.index in self.exclude:
            return False
        if message.index in self.include:
            return True
        if self.chats and chat not in self.chats:
            return False
        day = message.timestamp.date()
        if (self.since and day < self.since) or (self.until and day > self.until):
            return False
        return self.base == "all" or (self.base == "proposal" and proposal.business)
