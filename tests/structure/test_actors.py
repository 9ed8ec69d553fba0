"""Code asks the Actor (``balie.accounts.actors``) what someone may do; only accounts tells
a person from an API key by its class."""

from __future__ import annotations

import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "balie"
ISINSTANCE_ACTOR = re.compile(r"isinstance\([^)]*\b(ApiKey|User)\b")


def test_only_accounts_asks_whether_an_actor_is_an_api_key_or_a_user():
    found = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path.relative_to(SOURCE).parts[0] != "accounts"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ISINSTANCE_ACTOR.search(line)
    ]
    assert not found, "ask balie.accounts.actors.Actor instead:\n" + "\n".join(found)
