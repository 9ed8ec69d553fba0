"""The hash chain over an organisation's archive events.

``payload_hash`` = SHA-256 of the payload as canonical JSON (sorted keys, no spaces, UTF-8).
``event_hash`` = SHA-256 of the event's header fields, its payload hash and the previous
event's hash, as canonical JSON. Changing a payload breaks its own payload hash; changing a
header breaks its event hash; removing an event breaks the next one's ``previous_hash`` and
leaves a gap in ``seq``. Destruction empties a payload to ``{"destroyed_by": list}`` but keeps
its hash; verification accepts that only where the list's executed event names the conversation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def destroyed_marker(destruction_list_id: int) -> dict:
    """What a payload emptied by a destruction list holds."""
    return {"destroyed_by": destruction_list_id}


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def payload_hash(payload: Any) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


def event_hash(
    *,
    organisation_id: int,
    seq: int,
    event_type: str,
    conversation_id: int | None,
    actor_id: int | None,
    api_key_id: int | None,
    actor_kind: str,
    created_at: datetime,
    payload_hash: str,
    previous_hash: str,
) -> str:
    header = {
        "organisation": organisation_id,
        "seq": seq,
        "type": event_type,
        "conversation": conversation_id,
        "actor": actor_id,
        "api_key": api_key_id,
        "actor_kind": actor_kind,
        "created_at": created_at.astimezone(UTC).isoformat(),
        "payload_hash": payload_hash,
        "previous_hash": previous_hash,
    }
    return hashlib.sha256(canonical(header)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place where an organisation's chain does not hold."""

    organisation_id: int
    seq: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "after the last event"
        return f"organisation {self.organisation_id}, seq {self.seq} ({where}): {self.problem}"
