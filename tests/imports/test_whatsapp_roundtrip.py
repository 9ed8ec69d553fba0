"""Property test: random chats rendered in each WhatsApp layout parse back identically.

A message line that itself starts like a header ("15-01-2024 09:05 - …") cannot be told from
a new message in WhatsApp's own format; the generator leaves such lines out. So it does with
texts holding a phrase of WhatsApp's own system lines ("end-to-end", " left"): from an author
not seen before, those are system lines; and texts that are WhatsApp's markers in some
language ("null", "<Media omitted>"), which no export can tell from a person's words.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balie.imports.parsers import whatsapp
from balie.imports.parsers.base import Kind
from balie.imports.parsers.whatsapp import export, kinds

AMS = ZoneInfo("Europe/Amsterdam")
NNBSP = "\u202f"

# (name, header for a datetime, date order, 12-hour?)
LAYOUTS = [
    ("android-nl", lambda t: f"{t:%d-%m-%Y %H:%M} - ", "dmy", False),
    ("android-gb", lambda t: f"{t:%d/%m/%Y, %H:%M} - ", "dmy", False),
    ("android-us", lambda t: f"{_us(t)}, {_h12(t)}:{t:%M}{NNBSP}{_ap(t)} - ", "mdy", True),
    ("android-de", lambda t: f"{t:%d.%m.%y, %H:%M} - ", "dmy", False),
    ("android-fr", lambda t: f"{t:%d/%m/%Y} à {t:%H:%M} - ", "dmy", False),
    ("android-es", lambda t: f"{t.day}/{t.month}/{t:%y}, {_h12(t)}:{t:%M} {_ap(t, 1)} - ",
     "dmy", True),
    ("ios-nl", lambda t: f"[{t:%d-%m-%Y %H:%M:%S}] ", "dmy", False),
    ("ios-us", lambda t: f"[{_us(t)}, {_h12(t)}:{t:%M:%S}{NNBSP}{_ap(t)}] ", "mdy", True),
]  # fmt: skip


def _us(t: datetime) -> str:
    return f"{t.month}/{t.day}/{t:%y}"


def _h12(t: datetime) -> int:
    return t.hour % 12 or 12


def _ap(t: datetime, spanish: bool = False) -> str:
    if spanish:
        return "p. m." if t.hour >= 12 else "a. m."
    return "PM" if t.hour >= 12 else "AM"


authors = (
    st.text(
        alphabet=st.characters(whitelist_categories=("L", "N", "Zs", "So"), max_codepoint=0x1F9FF),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(lambda a: a and ":" not in a and "\n" not in a)
)
words = (
    st.text(
        alphabet=st.characters(
            whitelist_categories=("L", "N", "P", "Zs", "So"),
            max_codepoint=0x1F9FF,
            blacklist_characters="<>\u200e\u200f\u202f\u00a0\r",
        ),  # fmt: skip
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(bool)
)
lines_of_text = st.lists(words, min_size=1, max_size=3).map("\n".join)


@st.composite
def chats(draw):
    start = datetime(2024, 1, 13, 8, 0, tzinfo=AMS)
    people = draw(st.lists(authors, min_size=1, max_size=4, unique=True))
    messages = []
    moment = start
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        moment += timedelta(minutes=draw(st.integers(min_value=0, max_value=900)))
        author = draw(st.sampled_from(people))
        text = draw(
            lines_of_text.filter(
                lambda text, a=author: not _reads_as_system(a, text) and not kinds.is_marker(text)
            )
        )
        messages.append((moment, author, text))
    return messages


def _reads_as_system(author: str, text: str) -> bool:
    """Before the first ": ", a system line's phrase ("Jan left: …") can't be a name."""
    head = f"{author}: {text}".split(": ", 1)[0]
    return any(phrase in f"{head.lower()}:" for phrase in kinds.SYSTEM_PHRASES)


def _render(layout, messages) -> bytes:
    _name, header, _order, _twelve = layout
    lines = []
    for moment, author, text in messages:
        lines.append(f"{header(moment)}{author}: {text}")
    return ("\n".join(lines) + "\n").encode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chat=chats(), layout=st.sampled_from(LAYOUTS))
def test_random_chats_parse_back_identically(chat, layout):
    name, _header, order, _twelve = layout
    data = _render(layout, chat)
    parsed = whatsapp.parse(io.BytesIO(data), file_name=f"{name}.txt", date_order=order)
    messages = list(parsed.messages)
    assert [(m.author, m.text, m.kind) for m in messages] == [
        (author, text, Kind.TEXT) for _moment, author, text in chat
    ]
    seconds = name.startswith("ios")
    assert [m.timestamp for m in messages] == [
        moment if seconds else moment.replace(second=0) for moment, _a, _t in chat
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chat=chats(), layout=st.sampled_from(LAYOUTS), piece=st.integers(min_value=1, max_value=90))
def test_the_pieces_a_file_is_decoded_in_change_nothing(chat, layout, piece):
    name, _header, order, _twelve = layout
    data = _render(layout, chat)

    def parse():
        parsed = whatsapp.parse(io.BytesIO(data), file_name=f"{name}.txt", date_order=order)
        return list(parsed.messages)

    whole = parse()
    original, export.PIECE = export.PIECE, piece
    try:
        assert parse() == whole
    finally:
        export.PIECE = original


MARKERS = sorted(kinds.MEDIA_OMITTED | kinds.DELETED) + [
    "IMG-0001.jpg (bestand bijgevoegd)", "foto.jpg (file attached) onderschrift", "x (y)",
    "<attached: 0001-PHOTO.jpg>", "Tot morgen <Dit bericht is bewerkt>", "<3 jij", "a > b",
    "<b>", "İmage omitted", "null\nonderschrift", "<Media weggelaten>\nBouwplaats, noordkant",
    "Verslag.pdf • 3 pages document omitted", "Verslag.pdf • 3 pages <attached: 0017-V.pdf>",
    "a • b", "locatie: https://maps.google.com/?q=1,2", "Bild weggelassen\nBaustelle",
    "<Anhang: 00000012-PHOTO-2024-01-15-09-12-00.jpg>", "Dit bericht is verwijderd\nen meer",
]  # fmt: skip
CASES = [str, str.upper, str.title, str.swapcase]
marker_like = st.builds(
    lambda marker, case, before, after: before + case(marker) + after,
    st.sampled_from(MARKERS),
    st.sampled_from(CASES),
    st.sampled_from(["", " ", "  "]),
    st.sampled_from(["", " ", "\t"]),
)


def _as_the_full_rules_say(texts: list[str]) -> None:
    """The first message makes "Jan" known: the rest take the parser's short way for plain
    text from known authors (but the file's last), and must come out as the rules say."""
    data = "".join(
        f"15-01-2024 09:{minute % 60:02} - Jan: {text}\n"
        for minute, text in enumerate(["Hoi", *texts, "Doei"])
    ).encode()
    messages = list(whatsapp.parse(io.BytesIO(data), file_name="x.txt").messages)[1:-1]
    rules = whatsapp.parse(io.BytesIO(data), file_name="x.txt")
    assert [(m.kind, m.text, m.attachments) for m in messages] == [
        kinds.classify("Jan", text, frozenset(), rules) for text in texts
    ]


def test_every_marker_from_a_known_author_follows_the_full_rules():
    spaced = [f"{space}{case(marker)}{space}" for marker in MARKERS for case in CASES
              for space in ("", " ")]  # fmt: skip
    _as_the_full_rules_say(spaced)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.one_of(marker_like, words), min_size=1, max_size=8))
def test_a_known_authors_messages_follow_the_full_rules(texts):
    _as_the_full_rules_say(texts)
