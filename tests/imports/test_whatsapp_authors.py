"""Property test: markers and lines of other languages, inserted anywhere in an export of
any language, never cost a message its author, and the parse raises nothing but ParseError.

Each corpus export (``fixtures/whatsapp/corpus``) gets lines inserted with the header of the
line before them: a sender (one of the chat's people, or someone new) and a body that is a
marker of any language (with iOS's U+200E before it on iOS, as WhatsApp writes it), a line
of another language's export (its system sentences too), or random text. Every inserted line
must come out as a message of its sender.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balie.imports.parsers import whatsapp
from balie.imports.parsers.base import ParseError
from balie.imports.parsers.whatsapp.languages import TABLES, ios_markers

CORPUS = Path(__file__).parent / "fixtures" / "whatsapp" / "corpus"
EXPORTS = sorted(CORPUS.glob("*.txt"))
LRM = "\u200e"
HEADER = re.compile(r"^(\u200e?\[[^\]]+\] |.+? - )")
MAPS = "https://maps.google.com/?q=52.37,4.89"


def _markers() -> list[str]:
    found = ["null", "<Media omitted>\nCaption on the next line"]
    for table in TABLES.values():
        found += [*table["media_android"], *(m for _k, m in ios_markers(table)), *table["deleted"]]
        found += [f"{m}." for m in table["deleted"]]
        found += [f"IMG-20240115-WA0009.jpg ({w})" for w in table["file_attached"]]
        found += [f"<{w}: 00000020-PHOTO-2024-01-15-10-00-00.jpg>" for w in table["attached_ios"]]
        found += [
            f"<00000020-PHOTO-2024-01-15-10-00-00.jpg {w}>"
            for w in table.get("attached_ios_after", ())
        ]
        found += [f"{w}: {MAPS}" for w in table["location"]]
        found += [f"Tot zo <{w}>" for w in table["edited"]]
    return found


def _other_lines() -> list[str]:
    lines = []
    for path in CORPUS.glob("*.json"):
        lines += [m["text"] for m in json.loads(path.read_text(encoding="utf-8")) if m["text"]]
    return sorted(set(lines))


MARKERS = _markers()
OTHER_LINES = _other_lines()
NEW_PEOPLE = ["Kees", "Marie-Louise van den Berg", "Олег", "محمد", "田中", "Zoë 🌷"]
texts = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
        blacklist_characters="\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff\x85",
    ),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip() and text == text.strip())


@st.composite
def insertions(draw):
    """(file name, the export with lines inserted, {line number: sender} of those lines)."""
    path = draw(st.sampled_from(EXPORTS))
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    people = sorted({m["author"] for m in expected if m["author"]})
    entries: list[tuple[str, str | None]] = [
        (line, None) for line in path.read_text(encoding="utf-8").splitlines()
    ]
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=1, max_value=len(entries)))
        header = HEADER.match(entries[at - 1][0])
        if header is None or (at < len(entries) and not HEADER.match(entries[at][0])):
            continue  # only between two messages, with the header of the one before
        sender = draw(st.sampled_from(people + NEW_PEOPLE))
        source = draw(st.sampled_from(["marker", "other language", "random"]))
        if source == "marker":
            body = draw(st.sampled_from(MARKERS))
            if path.name.startswith("ios"):  # iOS writes U+200E before every marker
                body = LRM + body
        else:
            body = draw(st.sampled_from(OTHER_LINES) if source == "other language" else texts)
        entries.insert(at, (f"{header.group(1)}{sender}: {body}", sender))
    senders, number = {}, 1
    for text, sender in entries:
        if sender is not None:
            senders[number] = sender
        number += text.count("\n") + 1
    return path.name, "\n".join(text for text, _sender in entries) + "\n", senders


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=insertions())
def test_inserted_lines_keep_their_sender(case):
    name, data, senders = case
    try:
        messages = list(whatsapp.parse(io.BytesIO(data.encode()), file_name=name).messages)
    except ParseError:  # the only error allowed; none is expected of these exports
        raise AssertionError("a ParseError on an export WhatsApp could write") from None
    by_line = {int(m.position.removeprefix("line ")): m for m in messages}
    for number, sender in senders.items():
        assert by_line[number].author == sender, data.splitlines()[number - 1]
