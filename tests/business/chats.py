"""Short chats written for the tests, and what every proposal must satisfy.

A chat is written as ``(author, text)`` or ``(author, text, minutes after the previous
message)``; the author's role comes from :data:`ROLES`; :data:`MEDIA` as the text is a file
without a caption (a photo, a voice note).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from balie.business.model import Model
from balie.business.proposal import BUSINESS, DOUBT, PRIVATE, Line, Participant, Proposal

ROLES = {
    "Sanne": Participant.OFFICIAL,  # the phone's owner, wethouder
    "Lisa": Participant.COLLEAGUE,
    "Pieter": Participant.COLLEAGUE,
    "Mam": Participant.FAMILY,
    "Broer": Participant.FAMILY,
    "Rob": Participant.OTHER,  # a developer, a resident, an entrepreneur
}
TUESDAY_10 = datetime(2026, 3, 3, 10, 0)  # noqa: DTZ001 - a chat has local times
SATURDAY_21 = datetime(2026, 3, 7, 21, 0)  # noqa: DTZ001
MEDIA = object()
REASONS = {"words", "chat", "answer", "colleague", "family", "time", "media", "system"}
# words that explain nothing: a proposal may weigh them, never name them
STOP_WORDS = {"de", "het", "een", "en", "of", "over", "van", "voor", "met", "op", "in", "te",
              "aan", "dat", "die", "is", "ik", "je", "naar", "er", "ook", "nog"}  # fmt: skip


def chat(start: datetime, *messages: tuple) -> list[Line]:
    lines, at = [], start
    for n, (author, text, *after) in enumerate(messages):
        at += timedelta(minutes=after[0] if after else 0 if n == 0 else 2)
        media = text is MEDIA
        lines.append(Line("" if media else text, author, at, ROLES[author], media=media))
    return lines


def moved(lines: list[Line], to: datetime) -> list[Line]:
    """The same chat, every message as far apart in time, starting at ``to``."""
    shift = to - lines[0].at
    return [
        Line(line.text, line.author, line.at + shift, line.role, line.media, line.reply_to)
        for line in lines
    ]


def problems(proposal: Proposal, model: Model) -> list[str]:
    """What is wrong with a proposal (nothing, for a valid one)."""
    p = proposal.probability
    found = []
    if not 0.0 <= p <= 1.0:
        found.append(f"probability {p} outside [0, 1]")
    band = BUSINESS if p >= model.high else PRIVATE if p < model.low else DOUBT
    if proposal.verdict != band:
        found.append(f"verdict {proposal.verdict} at {p:.4f}, band {model.low}-{model.high}")
    for reason in proposal.reasons:
        if reason.code not in REASONS:
            found.append(f"unknown reason {reason.code}")
        if reason.code == "words" and not reason.words:
            found.append("a words reason without words")
        if named := STOP_WORDS.intersection(reason.words):
            found.append(f"stop-words named as a reason: {sorted(named)}")
    return found
