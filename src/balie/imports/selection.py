"""Which imported messages are business (bestuurlijke aangelegenheid): a proposal with a
reason per message, and the official's rules on top of it. Never a decision by itself.

The proposal is :mod:`balie.business`'s: a model trained on a labelled corpus weighs the
message's words, what the rest of the chat is about, the message a short answer answers, who
takes part (the official, colleagues on the organisation's staff list, family as the official
marks them) and, weakly, the time. Each message is proposed as business, private or "twijfel"
(doubt): a doubtful message is stored or left out only when the official decides it (the
console's choices, the CLI's ``--doubt``), never by default.

The reasons are put into words here (gettext: in the language active when the proposal is
made; reasons are never stored); the official's choice is what counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext

from balie.business import proposal as business
from balie.business.model import load as load_model
from balie.business.signals import Line, Participant
from balie.imports.models import chat_key_of
from balie.imports.parsers.base import Kind, ParsedMessage
from balie.search.text import fold

__all__ = [
    "ChatSummary",
    "Context",
    "Proposal",
    "Rules",
    "classifier_version",
    "explain",
    "propose",
    "summarize",
]

BUSINESS, PRIVATE, DOUBT = business.BUSINESS, business.PRIVATE, business.DOUBT


def classifier_version() -> str:
    """The version of the model that makes the proposals (recorded with each import)."""
    return load_model().version


@dataclass(frozen=True)
class Context:
    """What the proposal knows about the organisation and the official: folded names."""

    colleagues: dict[str, str] = field(default_factory=dict)  # folded name -> shown name
    me: frozenset[str] = frozenset()  # the official's own names in the export
    family: frozenset[str] = frozenset()  # authors the official marked as family
    earlier_chats: frozenset[str] = frozenset()  # chat keys chosen as business before
    source: str = ""

    def role_of(self, author: str | None) -> str:
        if author is None:
            return Participant.OTHER
        folded = fold(author)
        if folded in self.me:
            return Participant.OFFICIAL
        if folded in self.family:
            return Participant.FAMILY
        if folded in self.colleagues:
            return Participant.COLLEAGUE
        return Participant.OTHER


@dataclass
class ChatSummary:
    """One chat of an export, from a first pass over it: counts, authors, period, and each
    message's text score (:class:`balie.business.proposal.Chat`; the text is not kept)."""

    chat: str
    messages: int = 0
    authors: Counter = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    scores: business.Chat | None = None
    # the export's own message ids (Telegram) -> their place in the chat, for quoted replies
    places: dict[str, int] = field(default_factory=dict)

    def add(self, message: ParsedMessage) -> None:
        if message.source_id is not None:
            self.places[message.source_id] = self.messages
        self.messages += 1
        if message.author:
            self.authors[message.author] += 1
        if self.first is None or message.timestamp < self.first:
            self.first = message.timestamp
        if self.last is None or message.timestamp > self.last:
            self.last = message.timestamp
        if self.scores is None:
            self.scores = business.Chat()
        self.scores.add(_text(message), message.author, message.timestamp)

    @property
    def group(self) -> bool:
        return len(self.authors) > 2


@dataclass(frozen=True)
class Proposal:
    verdict: str  # BUSINESS, PRIVATE or DOUBT
    probability: float  # of business
    reasons: tuple[str, ...]

    @property
    def business(self) -> bool:
        return self.verdict == BUSINESS

    @property
    def doubt(self) -> bool:
        return self.verdict == DOUBT

    @property
    def confidence(self) -> int:
        """How sure the verdict is, in whole percents, for people (work or private)."""
        return round(100 * max(self.probability, 1 - self.probability))

    @property
    def work_percent(self) -> int:
        """The chance of work in whole percents: what a doubtful message shows."""
        return round(100 * self.probability)


def summarize(messages: Iterable[ParsedMessage], default_chat: str) -> dict[str, ChatSummary]:
    summaries: dict[str, ChatSummary] = {}
    for message in messages:
        chat = message.chat or default_chat
        summaries.setdefault(chat, ChatSummary(chat)).add(message)
    return summaries


def _text(message: ParsedMessage) -> str:
    return "" if message.kind in (Kind.SYSTEM, Kind.DELETED) else message.text


class Proposer:
    """The second pass over an export: the proposal for each message, in order."""

    def __init__(self, summaries: dict[str, ChatSummary], context: Context):
        self.summaries, self.context = summaries, context
        self.position: Counter = Counter()  # chat -> messages proposed so far
        self.roles = {
            chat: frozenset(context.role_of(author) for author in summary.authors)
            for chat, summary in summaries.items()
        }

    def __call__(self, message: ParsedMessage, chat: str) -> Proposal:
        summary = self.summaries[chat]
        i = self.position[chat]
        self.position[chat] += 1
        line = Line(
            text=_text(message),
            author=message.author,
            at=message.timestamp,
            role=self.context.role_of(message.author),
            media=message.kind == Kind.MEDIA or bool(message.attachments),
            reply_to=summary.places.get(message.reply_to) if message.reply_to else None,
        )
        assert summary.scores is not None
        summary.scores.group = summary.group
        found = summary.scores.propose(i, line, self.roles[chat])
        reasons = [explain(reason) for reason in found.reasons]
        if chat_key_of(self.context.source, chat) in self.context.earlier_chats:
            reasons.append(gettext("You chose this chat as a work chat before."))
        return Proposal(found.verdict, found.probability, tuple(reasons))


def propose(message: ParsedMessage, summary: ChatSummary, context: Context) -> Proposal:
    """One message's proposal, from a summary of its whole chat (a fresh pass)."""
    return Proposer({summary.chat: summary}, context)(message, summary.chat)


# how a chat's share of work is put in words (the model weighs the share itself, not these)
CHAT_MOSTLY_WORK, CHAT_MOSTLY_PRIVATE = 0.65, 0.35


def explain(reason: business.Reason) -> str:
    """A reason in plain words, in the active language."""
    work = reason.weight > 0
    if reason.code == "words":
        words = ", ".join(f"‘{word}’" for word in reason.words)
        if work:
            return gettext("Words that point to work: %(words)s.") % {"words": words}
        return gettext("Words that point to private life: %(words)s.") % {"words": words}
    if reason.code == "chat":
        share = reason.share or 0.0
        shown = {"share": f"{round(100 * share)}%"}
        if share >= CHAT_MOSTLY_WORK:
            return gettext("This chat is mostly about work (%(share)s of its other messages).") % (
                shown
            )
        if share <= CHAT_MOSTLY_PRIVATE:
            return (
                gettext(
                    "This chat is mostly private (%(share)s of its other messages are about work)."
                )
                % shown
            )
        return (
            gettext(
                "This chat mixes work and private (%(share)s of its other messages are about work)."
            )
            % shown
        )
    if reason.code == "answer":
        if work:
            return gettext("A short answer to a message about work.")
        return gettext("A short answer to a private message.")
    if reason.code == "colleague":
        if work:
            return gettext("A colleague takes part in this chat.")
        return gettext("Between colleagues, such messages are often private.")
    if reason.code == "family":
        if work:
            return gettext("Family takes part (as you marked), but the message reads as work.")
        return gettext("Family takes part in this chat (as you marked).")
    if reason.code == "time":
        if reason.working_hours:
            return gettext("Sent during working hours (this counts for little).")
        return gettext("Sent outside working hours (this counts for little).")
    if reason.code == "media":
        return gettext("A file without text: judged by the messages around it.")
    if reason.code == "system":
        return gettext("A line WhatsApp wrote itself.")
    return reason.code


@dataclass(frozen=True)
class Rules:
    """The official's choice on top of the proposal (the CLI's --select and filters; the
    console's check boxes become ``include``/``exclude``).

    ``base``: "proposal" (what the proposal says), "all" or "none". With "proposal", a
    doubtful message is kept or dropped as ``doubt`` says ("ask": the import refuses while
    any is undecided). Then only messages in ``chats`` (when given) and in the period count,
    and ``include``/``exclude`` (message indexes) override everything.
    """

    base: str = "proposal"
    doubt: str = "ask"  # a doubtful message not chosen either way: ask, keep or drop
    chats: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None  # through this day
    include: frozenset[int] = frozenset()
    exclude: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.base not in ("proposal", "all", "none"):
            raise ValueError(f"--select is proposal, all or none, not {self.base!r}")
        if self.doubt not in ("ask", "keep", "drop"):
            raise ValueError(f"--doubt is ask, keep or drop, not {self.doubt!r}")

    def undecided(self, message: ParsedMessage, chat: str, proposal: Proposal) -> bool:
        """A doubtful message the official has not decided (it counts with base proposal)."""
        return (
            proposal.doubt
            and self.base == "proposal"
            and self.doubt == "ask"
            and message.index not in self.include
            and message.index not in self.exclude
            and (not self.chats or chat in self.chats)
            and self._in_period(message)
        )

    def _in_period(self, message: ParsedMessage) -> bool:
        day = message.timestamp.date()
        return not ((self.since and day < self.since) or (self.until and day > self.until))

    def selects(self, message: ParsedMessage, chat: str, proposal: Proposal) -> bool:
        if message.index in self.exclude:
            return False
        if message.index in self.include:
            return True
        if self.chats and chat not in self.chats:
            return False
        if not self._in_period(message):
            return False
        if self.base == "proposal" and proposal.doubt:
            return self.doubt == "keep"
        return self.base == "all" or (self.base == "proposal" and proposal.business)
