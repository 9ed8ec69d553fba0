"""The labelled evaluation set (``corpus/pii``) read and scored: recall and precision per category.

The set's format is described in ``corpus/pii/README.md``: conversations of ``> `` message
lines with ``[[category|text]]`` marks and an optional ``context:`` line of JSON. Each
conversation is one request: :func:`balie.pii.detect_all` runs over its messages together.

A labelled span counts as found when spans of its category cover every letter and digit of
it; special personal data is found when a detected cue overlaps it (the detector marks the cue
word, "gebroken" in "pols gebroken", and the reviewer decides how much of the sentence goes
with it: docs/guides/privacy-detection.md). A detected span counts as right when it overlaps
a labelled span of its category.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .detector import detect_all
from .spans import CATEGORIES, SPECIAL, Span

__all__ = ["Conversation", "Labelled", "Report", "evaluate", "read_corpus"]

MARK = re.compile(r"\[\[([a-z_]+)\|(.+?)\]\]")


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    spans: tuple[tuple[int, int, str], ...]


@dataclass(slots=True)
class Conversation:
    id: str
    where: str
    context: dict = field(default_factory=dict)
    messages: list[Labelled] = field(default_factory=list)


def parse_message(marked: str, where: str = "") -> Labelled:
    text, spans, pos = [], [], 0
    length = 0
    for m in MARK.finditer(marked):
        category, value = m.group(1), m.group(2)
        if category not in CATEGORIES:
            raise ValueError(f"{where}: unknown category {category!r}")
        before = marked[pos : m.start()]
        text.append(before)
        length += len(before)
        spans.append((length, length + len(value), category))
        text.append(value)
        length += len(value)
        pos = m.end()
    text.append(marked[pos:])
    plain = "".join(text)
    if "[[" in plain or "]]" in plain:
        raise ValueError(f"{where}: unbalanced [[ ]]")
    return Labelled(plain, tuple(spans))


def read_corpus(paths: Iterable[Path]) -> list[Conversation]:
    conversations: list[Conversation] = []
    for path in sorted(paths):
        current: Conversation | None = None
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.name}:{number}"
            if line.startswith("=== conversation:"):
                current = Conversation(line.split(":", 1)[1].strip(), where)
                conversations.append(current)
            elif line.startswith("context:"):
                if current is None:
                    raise ValueError(f"{where}: context outside a conversation")
                current.context = json.loads(line.split(":", 1)[1])
            elif line.startswith(">"):
                if current is None:
                    raise ValueError(f"{where}: message outside a conversation")
                current.messages.append(parse_message(line[1:].lstrip(" "), where))
    return conversations


@dataclass
class Report:
    labelled: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    detected: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (where, category, text)
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    messages: int = 0

    def recall(self, category: str | None = None) -> float:
        total = self.labelled[category] if category else sum(self.labelled.values())
        hit = self.found[category] if category else sum(self.found.values())
        return hit / total if total else 1.0

    def precision(self, category: str | None = None) -> float:
        total = self.detected[category] if category else sum(self.detected.values())
        hit = self.right[category] if category else sum(self.right.values())
        return hit / total if total else 1.0

    def table(self) -> str:
        lines = [f"{'category':<15}{'labelled':>9}{'recall':>9}{'detected':>9}{'precision':>10}"]
        for category in CATEGORIES:
            lines.append(
                f"{category:<15}{self.labelled[category]:>9}"
                f"{self.recall(category):>9.3f}{self.detected[category]:>9}"
                f"{self.precision(category):>10.3f}"
            )
        lines.append(
            f"{'overall':<15}{sum(self.labelled.values()):>9}{self.recall():>9.3f}"
            f"{sum(self.detected.values()):>9}{self.precision():>10.3f}"
        )
        return "\n".join(lines)


def _covered(text: str, start: int, end: int, spans: list[Span], category: str) -> bool:
    if category == SPECIAL:
        return any(s.category == SPECIAL and s.start < end and start < s.end for s in spans)
    need = {i for i in range(start, end) if text[i].isalnum()}
    for s in spans:
        if s.category == category:
            need -= set(range(s.start, s.end))
    return not need


def evaluate(conversations: Iterable[Conversation]) -> Report:
    report = Report()
    for conversation in conversations:
        texts = [m.text for m in conversation.messages]
        results = detect_all(texts, conversation.context or None)
        report.messages += len(texts)
        for message, spans in zip(conversation.messages, results, strict=True):
            for start, end, category in message.spans:
                report.labelled[category] += 1
                if _covered(message.text, start, end, spans, category):
                    report.found[category] += 1
                else:
                    report.misses.append((conversation.id, category, message.text[start:end]))
            for span in spans:
                report.detected[span.category] += 1
                if any(
                    s < span.end and span.start < e and c == span.category
                    for s, e, c in message.spans
                ):
                    report.right[span.category] += 1
                else:
                    report.wrong.append(
                        (
                            conversation.id,
                            span.category,
                            f"{message.text[span.start : span.end]!r} "
                            f"({span.source}) in {message.text[:80]!r}",
                        )
                    )
    return report
