"""What the conversation says about each message (stage 2 of the proposal).

Stage 1 (:mod:`.text`) gives every message a text score. Here each message gets a handful of
signals from its chat, which a second small model weighs:

- ``text``: its own text score;
- ``chat``: the other messages' scores on average (is this chat mostly about work?);
- ``near``: the scores of the two messages before and after it, where sent within
  :data:`NEAR_WINDOW` of it, over four (a missing neighbour counts as neither side);
- ``answer``: for a short message ("Doe ik", "Komt goed", "👍", a photo without a word),
  the score of the message it answers: the one it quotes, else the last one by someone else
  among the three before it, sent at most :data:`ANSWER_WINDOW` earlier;
- who: the author is the official, a colleague (staff of the organisation), family (as the
  official marks it) or anyone else; whether colleagues or family take part; a group chat;
- ``family_text``: the text score inside a chat with family, so that a word of local
  government in a family joke counts for less;
- time: within working hours (weekdays 08:00-18:00), evening or night, weekend. These are
  weak by construction: training caps their weights (:data:`WEAK`, ``training.py``), so office
  hours never make small talk business.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["NAMES", "OFFICE", "WEAK", "Line", "Participant", "answered", "clip", "row", "signals"]

CLIP = 6.0  # a text score counts at most this much in another message's signals
SHORT_WORDS = 4
ANSWER_WINDOW = timedelta(hours=12)  # a short message answers nothing older than this
NEAR_WINDOW = timedelta(hours=4)  # neighbours further away in time are not near
_WORD = re.compile(r"[^\W_]+")
WEAK = ("office", "evening", "weekend")  # time: weights capped in training
WEAK_CAP = 0.25

NAMES = (
    "text", "chat", "near", "answer", "short", "media", "system",
    "own", "by_colleague", "by_family", "with_colleague", "with_family", "group",
    "family_text", "office", "evening", "weekend",
)  # fmt: skip
OFFICE = NAMES.index("office")


class Participant:
    """Who a chat's author is, as Balie knows it."""

    OFFICIAL = "official"  # the phone's owner
    COLLEAGUE = "colleague"  # on the organisation's staff list
    FAMILY = "family"  # marked as family by the official
    OTHER = "other"  # anyone else (residents, companies, friends, the press, …)


@dataclass(frozen=True, slots=True)
class Line:
    """One message of a chat, as the proposal sees it."""

    text: str
    author: str | None  # None: a system line
    at: datetime  # local time where the official is
    role: str = Participant.OTHER
    media: bool = False  # a file (photo, voice note, …); ``text`` is its caption
    reply_to: int | None = None  # the position in the chat of the message it quotes


def clip(value: float) -> float:
    return CLIP if value > CLIP else -CLIP if value < -CLIP else value


def is_short(text: str) -> bool:
    return len(_WORD.findall(text, 0, 400)) <= SHORT_WORDS


def answered(
    i: int, reply_to: int | None, authors: Sequence[str | None], times: Sequence[datetime]
) -> int | None:
    """The message that message ``i`` answers: the one it quotes, else the last of the three
    before it by someone else, if it was sent within :data:`ANSWER_WINDOW`."""
    if reply_to is not None and 0 <= reply_to < i:
        return reply_to
    author, at = authors[i], times[i]
    for j in range(i - 1, max(-1, i - 4), -1):
        if at - times[j] > ANSWER_WINDOW:
            return None
        if authors[j] != author:
            return j
    return None


def row(i: int, line: Line, clipped: Sequence[float], total: float,
        authors: Sequence[str | None], times: Sequence[datetime],
        roles: set[str] | frozenset[str], group: bool) -> list[float]:  # fmt: skip
    """The signals of line ``i`` (in :data:`NAMES`' order): ``clipped``, the chat's text
    scores (:func:`clip`), ``total`` their sum; ``authors`` and ``times``, the chat's
    authors and times in order; ``roles``, the roles of everyone in the chat."""
    count = len(clipped)
    own = clipped[i]
    chat = (total - own) / (count - 1) if count > 1 else 0.0
    at = line.at
    window = [
        clipped[j]
        for j in (i - 2, i - 1, i + 1, i + 2)
        if 0 <= j < count and abs(times[j] - at) <= NEAR_WINDOW
    ]
    near = sum(window) / 4
    short = is_short(line.text)
    answer = 0.0
    if short:
        target = answered(i, line.reply_to, authors, times)
        if target is not None:
            answer = clipped[target]
    with_colleague = 1.0 if Participant.COLLEAGUE in roles else 0.0
    with_family = 1.0 if Participant.FAMILY in roles else 0.0
    weekend = at.weekday() >= 5
    hour = at.hour
    return [
        own, chat, near, answer, 1.0 if short else 0.0,
        1.0 if line.media and not line.text.strip() else 0.0,
        1.0 if line.author is None else 0.0,
        1.0 if line.role == Participant.OFFICIAL else 0.0,
        1.0 if line.role == Participant.COLLEAGUE else 0.0,
        1.0 if line.role == Participant.FAMILY else 0.0,
        with_colleague, with_family, 1.0 if group else 0.0,
        own * with_family,
        1.0 if not weekend and 8 <= hour < 18 else 0.0,
        1.0 if hour >= 18 or hour < 8 else 0.0,
        1.0 if weekend else 0.0,
    ]  # fmt: skip


def signals(lines: Sequence[Line], logits: Sequence[float], group: bool) -> list[list[float]]:
    """The signals of every line of a chat, from the lines' text scores."""
    clipped = [clip(s) for s in logits]
    total = sum(clipped)
    authors = [line.author for line in lines]
    times = [line.at for line in lines]
    roles = {line.role for line in lines}
    return [
        row(i, line, clipped, total, authors, times, roles, group) for i, line in enumerate(lines)
    ]
