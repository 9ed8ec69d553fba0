"""The conversation's timings for the supervisor dashboard, kept by the write path.

The group commit (``sending``) reads :data:`LOCKED_FIELDS` of each conversation under its
lock, lets :func:`note` follow every new message in order, and adds :func:`assignments` to its
one UPDATE per batch: no query of its own.

- ``first_response_at``: the first answer to the resident (an outbound message; not a note,
  not a system line, not the resident), set once.
- ``waiting_since``: when the resident's oldest unanswered message arrived; set by a
  resident's message when the conversation was not waiting already, cleared by an answer (and
  by resolving or closing, ``handling.do_change_status``).
- ``resolved_at``: set by resolving or closing (``handling``); cleared here when the
  resident's new message reopens the conversation.
"""

from __future__ import annotations

from datetime import datetime

from balie.conversations.models import Direction

__all__ = ["LOCKED_FIELDS", "assignments", "note"]

LOCKED_FIELDS = ("first_response_at", "waiting_since")
# The fields this module may change, in a fixed order (the same SQL for the same batch shape).
_CHANGED = ("first_response_at", "waiting_since", "resolved_at")


def note(current: dict, direction: str, now: datetime) -> None:
    """Follow one new message of the locked conversation ``current`` (its state dict)."""
    changes = current.setdefault("timings", {})
    if direction == Direction.OUTBOUND:
        if current["first_response_at"] is None:
            current["first_response_at"] = changes["first_response_at"] = now
        if current["waiting_since"] is not None:
            current["waiting_since"] = changes["waiting_since"] = None
    elif direction == Direction.INBOUND and current["waiting_since"] is None:
        current["waiting_since"] = changes["waiting_since"] = now
    if current.get("reopened"):
        changes["resolved_at"] = None


def assignments(touched: list[tuple[int, dict]], now_param: object) -> tuple[str, list]:
    """``", field = CASE … END"`` for each timing a message of the batch changed, with its
    parameters; ``now_param`` is the batch's time as the database takes it. Each new value is
    the batch's time or NULL, so the ids are grouped by value rather than listed one by one."""
    sql: list[str] = []
    params: list = []
    for name in _CHANGED:
        cleared = [pk for pk, c in touched if name in c.get("timings", {}) and not _set(c, name)]
        stamped = [pk for pk, c in touched if _set(c, name)]
        if not cleared and not stamped:
            continue
        whens = []
        if cleared:
            whens.append(f"WHEN id IN ({', '.join(['%s'] * len(cleared))}) THEN NULL")
            params += cleared
        if stamped:
            whens.append(f"WHEN id IN ({', '.join(['%s'] * len(stamped))}) THEN %s")
            params += [*stamped, now_param]
        sql.append(f", {name} = CASE {' '.join(whens)} ELSE {name} END")
    return "".join(sql), params


def _set(current: dict, name: str) -> bool:
    return current.get("timings", {}).get(name) is not None
