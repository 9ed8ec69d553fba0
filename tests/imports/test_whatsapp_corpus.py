"""The corpus: an Android and an iOS export per language WhatsApp ships, each parsing to
exactly its expected messages (author, time, kind, text, attachments) in its language.

The exports and their expected messages are written by ``fixtures/whatsapp/corpus/make.py``
from hand-written lines (see there); run it again after changing a language table.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from balie.imports.parsers import whatsapp
from balie.imports.parsers.whatsapp.languages import TABLES

CORPUS = Path(__file__).parent / "fixtures" / "whatsapp" / "corpus"
EXPORTS = sorted(path.name for path in CORPUS.glob("*.txt"))


def _as_expected(message) -> dict:
    return {
        "index": message.index,
        "author": message.author,
        "timestamp": message.timestamp.isoformat(),
        "kind": str(message.kind),
        "text": message.text,
        "attachments": [
            {
                key: value
                for key, value in asdict(item).items()
                if key in ("name", "member", "omitted")
            }
            for item in message.attachments
        ],
    }


def test_every_language_has_an_android_and_an_ios_export():
    assert sorted(f"{p}-{lang}.txt" for lang in TABLES for p in ("android", "ios")) == EXPORTS
    assert len(TABLES) >= 18


@pytest.mark.parametrize("name", EXPORTS)
def test_each_export_parses_to_exactly_its_expected_messages(name):
    expected = json.loads((CORPUS / name).with_suffix(".json").read_text(encoding="utf-8"))
    chat = whatsapp.parse(CORPUS / name, file_name=name)
    got = [_as_expected(message) for message in chat.messages]
    assert got == expected
    platform, language = name.removesuffix(".txt").split("-")
    assert chat.format.startswith(f"whatsapp/{platform}/")
    assert chat.format.endswith(f"/{language}")
