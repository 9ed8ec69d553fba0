"""The labelled corpus (``corpus/business-or-private``): synthetic chats of an official's
phone, one JSON file per chat (format in docs/guides/business-or-private.md), and their
split into training and held-out chats.

The split is by chat, never by message (a chat's messages are alike; splitting inside one
would measure memory, not judgement), fixed by a hash of the chat's id, and stratified:
within each kind, every fourth chat in hash order is held out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from balie.business.signals import Line, Participant

__all__ = ["CORPUS", "Chat", "chats", "digest", "split"]

CORPUS = Path(__file__).resolve().parents[3] / "corpus" / "business-or-private"
HELD_OUT_EVERY = 4
# the corpus's roles as Balie knows them: staff by the staff list, family as marked
_KNOWN = {"official": Participant.OFFICIAL, "colleague": Participant.COLLEAGUE,
          "family": Participant.FAMILY}  # fmt: skip


@dataclass(frozen=True)
class Chat:
    id: str
    kind: str
    group: bool
    lines: tuple[Line, ...]
    labels: tuple[bool, ...]  # business?
    path: Path


def _chat(path: Path) -> Chat:
    data = json.loads(path.read_text(encoding="utf-8"))
    roles = {
        name: _KNOWN.get(role, Participant.OTHER) for name, role in data["participants"].items()
    }
    position = {m["id"]: n for n, m in enumerate(data["messages"])}
    lines = tuple(
        Line(
            text=m["text"],
            author=m["from"],
            at=datetime.fromisoformat(m["at"]),
            role=roles[m["from"]],
            media="media" in m,
            reply_to=position.get(m.get("reply_to")),
        )
        for m in data["messages"]
    )
    labels = tuple(m["label"] == "business" for m in data["messages"])
    return Chat(data["id"], data["kind"], data["group"], lines, labels, path)


def chats(root: Path = CORPUS) -> list[Chat]:
    """Every chat of the corpus, by id."""
    return [_chat(path) for path in sorted((root / "conversations").glob("*.json"))]


def _order(chat: Chat) -> str:
    return hashlib.sha256(chat.id.encode()).hexdigest()


def split(all_chats: list[Chat]) -> tuple[list[Chat], list[Chat]]:
    """(training, held out): per kind, every fourth chat in hash order is held out."""
    training, held_out = [], []
    by_kind: dict[str, list[Chat]] = {}
    for chat in all_chats:
        by_kind.setdefault(chat.kind, []).append(chat)
    for kind in sorted(by_kind):
        for n, chat in enumerate(sorted(by_kind[kind], key=_order)):
            (held_out if n % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 else training).append(chat)
    return training, held_out


def digest(some: list[Chat]) -> str:
    """The SHA-256 over these chats' files, in id order: what a model was trained on."""
    sha = hashlib.sha256()
    for chat in sorted(some, key=lambda c: c.id):
        sha.update(chat.id.encode() + b"\0" + chat.path.read_bytes() + b"\0")
    return sha.hexdigest()
