"""The one function: :func:`propose`, a proposal for every message of a chat.

A proposal is ``business`` (it belongs in the archive), ``private`` (it stays out) or
``doubt`` ("twijfel": the official decides; never a silent default), with the probability of
business and the reasons that weighed most, as codes with their data (:class:`Reason`); the
caller puts them into words in the official's language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from balie.business import signals as sig
from balie.business.model import Model, load
from balie.business.signals import Line, Participant
from balie.business.text import Scored, score

__all__ = [
    "BUSINESS",
    "DOUBT",
    "PRIVATE",
    "Chat",
    "Line",
    "Participant",
    "Proposal",
    "Reason",
    "propose",
]

BUSINESS, PRIVATE, DOUBT = "business", "private", "doubt"
MIN_REASON = 0.35  # a signal that moved the log-odds less than this is not named
MIN_TIME = 0.1  # the time is named when it counted at all (it is weak by construction)
MAX_REASONS = 4
# which signals make up which reason
_GROUPS = {
    "text": "words", "chat": "chat", "near": "chat", "answer": "answer", "short": "answer",
    "media": "media", "system": "system", "by_colleague": "colleague",
    "with_colleague": "colleague", "by_family": "family", "with_family": "family",
    "family_text": "family", "office": "time", "evening": "time", "weekend": "time",
    "own": "", "group": "",
}  # fmt: skip
# the same, as positions in a row of signals, per reason
_POSITIONS = tuple(
    (code, tuple(i for i, name in enumerate(sig.NAMES) if _GROUPS[name] == code))
    for code in dict.fromkeys(g for g in _GROUPS.values() if g)
)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why: ``code`` is one of words, chat, answer, colleague, family, time, media, system;
    ``weight`` how much it moved the log-odds (positive: towards business)."""

    code: str
    weight: float
    words: tuple[str, ...] = ()  # words: the words that weighed most that way
    share: float | None = None  # chat: the share of the other messages that read as work
    working_hours: bool | None = None  # time: sent within working hours


@dataclass(frozen=True, slots=True)
class Proposal:
    verdict: str  # BUSINESS, PRIVATE or DOUBT
    probability: float  # of business
    reasons: tuple[Reason, ...]

    @property
    def business(self) -> bool:
        return self.verdict == BUSINESS

    @property
    def confidence(self) -> float:
        """How sure the proposal is of its verdict (for doubt: of the likelier side)."""
        return max(self.probability, 1.0 - self.probability)


class Chat:
    """A chat read in two passes, for exports too large to hold: :meth:`add` every message
    in order (its text score is kept, not its text), then :meth:`propose` each one."""

    def __init__(self, *, group: bool = False, model: Model | None = None):
        self.model = model or load()
        self.group = group
        self.clipped: list[float] = []
        self.authors: list[str | None] = []
        self.times: list[datetime] = []
        self.total = 0.0
        self.positive = 0  # how many texts read as work: the chat's share in O(1)

    def add(self, text: str, author: str | None, at: datetime) -> Scored:
        """Score the next message (``at``: when it was sent, in the official's local time)."""
        scored = score(text, self.model.text_weights, self.model.text_bias)
        value = sig.clip(scored.logit)
        self.clipped.append(value)
        self.total += value
        self.positive += value > 0
        self.authors.append(author)
        self.times.append(at)
        return scored

    def share(self, i: int) -> float:
        """The share of the chat's other messages whose text reads as work."""
        others = len(self.clipped) - 1
        if others <= 0:
            return 0.0
        return (self.positive - (self.clipped[i] > 0)) / others

    def propose(
        self, i: int, line: Line, roles: set[str] | frozenset[str], scored: Scored | None = None
    ) -> Proposal:
        """The proposal for the chat's message ``i``; ``roles``: of everyone in the chat."""
        model = self.model
        row = sig.row(
            i, line, self.clipped, self.total, self.authors, self.times, roles, self.group
        )
        contributions = [w * x for w, x in zip(model.signal_weights, row, strict=True)]
        z = model.signal_bias + sum(contributions)
        p = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        verdict = BUSINESS if p >= model.high else PRIVATE if p < model.low else DOUBT
        if scored is None:
            scored = score(line.text, model.text_weights, model.text_bias)
        return Proposal(verdict, p, self._reasons(i, line, row, contributions, scored))

    def _reasons(self, i, line, row, contributions, scored) -> tuple[Reason, ...]:
        grouped = {code: sum([contributions[n] for n in at]) for code, at in _POSITIONS}
        reasons = []
        # what a line is, said whatever it weighed: WhatsApp's own line, a file without text
        if line.author is None:
            reasons.append(Reason("system", grouped.pop("system")))
        elif line.media and not line.text.strip():
            reasons.append(Reason("media", grouped.pop("media")))
        named = [
            (code, weight)
            for code, weight in grouped.items()
            if abs(weight) >= (MIN_TIME if code == "time" else MIN_REASON)
        ]
        named.sort(key=lambda item: -abs(item[1]))
        for code, weight in named:
            if code == "words":
                toward = [w for v, w in scored.words if (v > 0) == (weight > 0)]
                if not toward:
                    continue
                reasons.append(Reason(code, weight, words=tuple(toward[:3])))
            elif code == "chat":
                reasons.append(Reason(code, weight, share=self.share(i)))
            elif code == "answer":
                target = sig.answered(i, line.reply_to, self.authors, self.times)
                if target is None:
                    continue
                reasons.append(Reason(code, weight))
            elif code == "time":
                reasons.append(Reason(code, weight, working_hours=row[sig.OFFICE] == 1.0))
            else:
                reasons.append(Reason(code, weight))
            if len(reasons) == MAX_REASONS:
                break
        return tuple(reasons)


def propose(
    lines: Sequence[Line], *, group: bool = False, model: Model | None = None
) -> list[Proposal]:
    """A proposal for each of a chat's ``lines`` (in order); ``group``: a group chat."""
    chat = Chat(group=group, model=model)
    scored = [chat.add(line.text, line.author, line.at) for line in lines]
    roles = {line.role for line in lines}
    return [chat.propose(i, line, roles, scored[i]) for i, line in enumerate(lines)]
