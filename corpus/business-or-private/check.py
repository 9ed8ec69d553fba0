"""Check the labelled business-or-private corpus: every conversation file is well formed,
and print totals by kind. Run: python3 corpus/business-or-private/check.py [FILE ...]

The format is described in docs/guides/business-or-private.md ("The corpus")."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).parent
KINDS = {
    "family", "friends", "sports_club", "colleagues_smalltalk", "colleagues_work",
    "residents", "entrepreneurs", "developers_lobbyists", "council", "journalists",
    "other_governments", "mixed",
}  # fmt: skip
ROLES = {"official", "family", "friend", "colleague", "council", "external"}
LABELS = {"business", "private"}
MEDIA = {"image", "video", "audio", "gif", "sticker", "document", "contact", "location"}


def check(path: Path) -> list[str]:
    errors: list[str] = []
    try:
        chat = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"{path.name}: not JSON: {error}"]
    if chat.get("id") != path.stem:
        errors.append(f"{path.name}: id {chat.get('id')!r} differs from the file name")
    if chat.get("kind") not in KINDS:
        errors.append(f"{path.name}: kind {chat.get('kind')!r} is not one of {sorted(KINDS)}")
    if not path.stem.startswith(chat.get("kind", "?") + "-"):
        errors.append(f"{path.name}: the file name must start with the kind")
    if not isinstance(chat.get("chat"), str) or not chat["chat"]:
        errors.append(f"{path.name}: chat (the name on the phone) is missing")
    if not isinstance(chat.get("group"), bool):
        errors.append(f"{path.name}: group must be true or false")
    people = chat.get("participants")
    if not isinstance(people, dict) or not people:
        return [*errors, f"{path.name}: participants must map names to roles"]
    for name, role in people.items():
        if role not in ROLES:
            errors.append(f"{path.name}: participant {name!r} has role {role!r}")
    officials = [n for n, r in people.items() if r == "official"]
    if len(officials) != 1:
        errors.append(f"{path.name}: exactly one participant is the official, not {officials}")
    if chat.get("group") is False and len(people) != 2:
        errors.append(f"{path.name}: a one-to-one chat has two participants")
    messages = chat.get("messages")
    if not isinstance(messages, list) or len(messages) < 8:
        return [*errors, f"{path.name}: at least 8 messages"]
    seen: set[int] = set()
    last = None
    for m in messages:
        where = f"{path.name} #{m.get('id')}"
        if not isinstance(m.get("id"), int) or m["id"] in seen:
            errors.append(f"{where}: id must be a unique integer")
        if m.get("from") not in people:
            errors.append(f"{where}: from {m.get('from')!r} is not a participant")
        try:
            at = datetime.fromisoformat(m["at"])
        except (KeyError, TypeError, ValueError):
            errors.append(f"{where}: at must be YYYY-MM-DDTHH:MM")
        else:
            if last and at < last:
                errors.append(f"{where}: earlier than the message before it")
            last = at
        if not isinstance(m.get("text"), str) or (not m["text"].strip() and not m.get("media")):
            errors.append(f"{where}: text is empty")
        if m.get("label") not in LABELS:
            errors.append(f"{where}: label must be business or private")
        if "reply_to" in m and m["reply_to"] not in seen:
            errors.append(f"{where}: reply_to must name an earlier message")
        if "media" in m and m["media"] not in MEDIA:
            errors.append(f"{where}: media {m['media']!r} is not one of {sorted(MEDIA)}")
        extra = set(m) - {"id", "at", "from", "text", "label", "reply_to", "media", "note"}
        if extra:
            errors.append(f"{where}: unknown fields {sorted(extra)}")
        seen.add(m.get("id"))
    return errors


def main(paths: list[str]) -> int:
    files = [Path(p) for p in paths] or sorted((HERE / "conversations").glob("*.json"))
    errors: list[str] = []
    kinds: Counter = Counter()
    messages: Counter = Counter()
    business: Counter = Counter()
    for path in files:
        problems = check(path)
        errors += problems
        if problems:
            continue
        chat = json.loads(path.read_text(encoding="utf-8"))
        kinds[chat["kind"]] += 1
        messages[chat["kind"]] += len(chat["messages"])
        business[chat["kind"]] += sum(m["label"] == "business" for m in chat["messages"])
    for line in errors:
        print(line)
    print(f"{'kind':22} chats messages business")
    for kind in sorted(kinds):
        share = business[kind] / messages[kind]
        print(f"{kind:22} {kinds[kind]:5} {messages[kind]:8} {share:8.0%}")
    total = sum(messages.values())
    share = sum(business.values()) / total if total else 0
    print(f"{'total':22} {sum(kinds.values()):5} {total:8} {share:8.0%}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
