"""One writer for message + archive event + search entry (live sending and imports)."""

from __future__ import annotations

import re

from tests.structure.imports import SRC

WRITER = SRC / "conversations" / "actions" / "storing.py"


def _calls(pattern: str) -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        if "migrations" not in path.parts and re.search(pattern, path.read_text("utf-8")):
            found.add(str(path.relative_to(SRC)))
    return found


def test_only_the_writer_inserts_messages_and_indexes_them():
    assert _calls(r"\bMessage\.objects\.bulk_create\(") == {"conversations/actions/storing.py"}
    assert _calls(r"\bMessage\.objects\.create\(") == set()
    assert _calls(r"\.index_messages\(") == {"conversations/actions/storing.py"}


def test_live_sending_and_imports_both_use_it():
    users = _calls(r"\bstore_messages\(")
    assert {"conversations/actions/sending.py", "imports/writer.py"} <= users
