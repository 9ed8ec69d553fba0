"""Property tests: random messages rendered as an SMS backup and as Telegram JSON (text as a
string and as a list of entities) parse back identically. (Characters XML does not allow,
such as noncharacters, are not generated: the app cannot write them either.)"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balie.imports.parsers import sms, telegram
from balie.imports.parsers.base import Kind

texts = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Cn"), blacklist_characters="\r", max_codepoint=0x1FAFF
    ),
    min_size=1,
    max_size=80,
).filter(lambda t: t.strip() and t != "null")
names = st.text(alphabet=st.characters(whitelist_categories=("L", "Zs")), min_size=1, max_size=20
                ).map(str.strip).filter(lambda n: n and n != "null")  # fmt: skip
numbers = st.from_regex(r"\+316[0-9]{8}", fullmatch=True)  # other digits: test_sms_numbers
START = datetime(2024, 1, 1, tzinfo=UTC)


@st.composite
def messages(draw):
    rows = []
    moment = START
    for _ in range(draw(st.integers(min_value=1, max_value=10))):
        moment += timedelta(seconds=draw(st.integers(min_value=0, max_value=86_400)))
        rows.append((moment, draw(names), draw(numbers), draw(texts), draw(st.booleans())))
    return rows


def _surrogates(text: str) -> str:
    """As the app writes characters beyond the BMP: two references to UTF-16 halves."""
    out = []
    for char in text:
        point = ord(char)
        if point > 0xFFFF:
            point -= 0x10000
            out.append(f"&#{0xD800 + (point >> 10)};&#{0xDC00 + (point & 0x3FF)};")
        elif char == "\n":
            out.append("&#10;")
        else:
            out.append(escape(char, {'"': "&quot;"}))
    return "".join(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=messages())
def test_sms_backups_parse_back(rows):
    lines = ["<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>", "<smses>"]
    for moment, name, number, text, sent in rows:
        lines.append(
            f'<sms address="{number}" date="{int(moment.timestamp() * 1000)}" '
            f'type="{2 if sent else 1}" body="{_surrogates(text)}" contact_name="{name}" />'
        )
    lines.append("</smses>")
    parsed = list(
        sms.parse(
            io.BytesIO("\n".join(lines).encode()), file_name="b.xml", owner_name="Ik"
        ).messages
    )
    assert [(m.chat, m.author, m.text, m.outgoing, m.kind) for m in parsed] == [
        (number, "Ik" if sent else name, text, sent, Kind.TEXT)
        for _moment, name, number, text, sent in rows
    ]
    assert [m.timestamp for m in parsed] == [moment for moment, *_ in rows]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=messages(), as_list=st.booleans())
def test_telegram_exports_parse_back(rows, as_list):
    items = []
    for n, (moment, name, _number, text, _sent) in enumerate(rows):
        body = [text[:1], {"type": "bold", "text": text[1:]}] if as_list else text
        unix = str(int(moment.timestamp()))
        items.append({"id": n, "type": "message", "date": f"{moment:%Y-%m-%dT%H:%M:%S}",
                      "date_unixtime": unix, "from": name, "text": body})  # fmt: skip
    data = json.dumps({"name": "Chat", "type": "personal_chat", "id": 1, "messages": items})
    parsed = list(telegram.parse(io.BytesIO(data.encode()), file_name="r.json").messages)
    assert [(m.author, m.text, m.kind) for m in parsed] == [
        (name, text, Kind.TEXT) for _m, name, _n, text, _s in rows
    ]
    assert [m.timestamp for m in parsed] == [moment for moment, *_ in rows]
