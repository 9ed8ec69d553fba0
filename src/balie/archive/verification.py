"""Recomputing the hash chain: what ``balie verify`` and the daily check run.

Besides the walk over the chain: the live rows of the layers above are compared with what
the archive recorded of them, by checks those layers register here (the archive does not
know what a conversation is), and any destruction permit still in the table is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from balie.archive import chain
from balie.archive.models import ArchiveEvent, ChainHead, DestructionPermit

LiveCheck = Callable[[int], str | None]
"""Given an organisation id: the first live row that differs from the archive, or None."""

_live_checks: dict[str, LiveCheck] = {}


def register_live_check(name: str, check: LiveCheck) -> None:
    """Called from a higher layer's ``AppConfig.ready``; registering a name again replaces it."""
    _live_checks[name] = check


def check_live_rows(organisation_id: int) -> str | None:
    """The first mismatch any registered check finds, or None."""
    for name, check in sorted(_live_checks.items()):
        problem = check(organisation_id)
        if problem is not None:
            return f"{name}: {problem}"
    return None


def stray_permits() -> str | None:
    """A permit lives only inside the destruction's transaction: one seen here outlived it."""
    permits = list(DestructionPermit.objects.order_by("pk").values_list("pk", "reason"))
    if not permits:
        return None
    listed = ", ".join(f"#{pk} ({reason})" for pk, reason in permits)
    return f"destruction permit(s) {listed} outlived their transaction"


def event_hash_at(organisation_id: int, seq: int) -> str | None:
    return (
        ArchiveEvent.objects.filter(organisation_id=organisation_id, seq=seq)
        .values_list("event_hash", flat=True)
        .first()
    )


def chain_head(organisation_id: int) -> tuple[int, str]:
    head = ChainHead.objects.filter(pk=organisation_id).first()
    return (head.last_seq, head.last_hash) if head else (0, chain.GENESIS)


_FIELDS = (
    "id",
    "seq",
    "event_type",
    "conversation_id",
    "actor_id",
    "api_key_id",
    "actor_kind",
    "created_at",
    "payload",
    "payload_hash",
    "previous_hash",
    "event_hash",
)


def verify_organisation(organisation_id: int) -> tuple[int, chain.Break | None]:
    """(events checked, the first break or None)."""
    rows = (
        ArchiveEvent.objects.filter(organisation_id=organisation_id)
        .order_by("seq")
        .values_list(*_FIELDS)
        .iterator(chunk_size=5000)
    )
    checked, last_seq, last_hash, found = _walk(organisation_id, rows, _destroyed(organisation_id))
    if found is not None:
        return checked, found
    head_seq, head_hash = chain_head(organisation_id)
    if (head_seq, head_hash) != (last_seq, last_hash):
        problem = (
            f"the chain ends at seq {last_seq}, but its head says {head_seq}: "
            "the last event(s) were removed or replaced"
        )
        return checked, chain.Break(organisation_id, last_seq + 1, None, problem)
    return checked, None


def _destroyed(organisation_id: int) -> dict[int, set[int]]:
    """{destruction list id: the conversations its executed event names}. Those events are
    themselves checked in the walk, so a forged list shows as a break too."""
    lists: dict[int, set[int]] = {}
    for (payload,) in ArchiveEvent.objects.filter(
        organisation_id=organisation_id, event_type="destruction.executed"
    ).values_list("payload"):
        if isinstance(payload, dict) and isinstance(payload.get("list"), int):
            lists[payload["list"]] = set(payload.get("conversations") or [])
    return lists


def _emptied(payload: object, conversation_id: int | None, destroyed: dict[int, set[int]]):
    """None for a normal payload; else whether a destruction list covers this emptied one."""
    if not (isinstance(payload, dict) and payload.keys() == {"destroyed_by"}):
        return None
    return conversation_id in destroyed.get(payload["destroyed_by"], ())


def _walk(organisation_id: int, rows: Iterable[tuple], destroyed: dict[int, set[int]]):
    expected_seq, previous = 1, chain.GENESIS
    checked = 0
    for row in rows:
        (pk, seq, event_type, conversation_id, actor_id, api_key_id, actor_kind, created_at,
         payload, payload_hash, previous_hash, event_hash) = row  # fmt: skip
        problem = None
        if seq != expected_seq:
            problem = f"expected seq {expected_seq}, found {seq}: event(s) missing"
        elif (emptied := _emptied(payload, conversation_id, destroyed)) is False:
            problem = (
                f"the payload was emptied as destroyed by list {payload['destroyed_by']}, "
                "but that list did not destroy this conversation"
            )
        elif emptied is None and chain.payload_hash(payload) != payload_hash:
            problem = "the payload differs from its recorded hash: it was changed"
        elif previous_hash != previous:
            problem = "previous_hash does not match the event before it"
        elif event_hash != chain.event_hash(
            organisation_id=organisation_id,
            seq=seq,
            event_type=event_type,
            conversation_id=conversation_id,
            actor_id=actor_id,
            api_key_id=api_key_id,
            actor_kind=actor_kind,
            created_at=created_at,
            payload_hash=payload_hash,
            previous_hash=previous_hash,
        ):
            problem = "the event's header (type, actor, time, …) was changed"
        if problem is not None:
            return (
                checked,
                expected_seq - 1,
                previous,
                chain.Break(organisation_id, seq, pk, problem),
            )
        checked += 1
        expected_seq, previous = seq + 1, event_hash
    return checked, expected_seq - 1, previous, None
