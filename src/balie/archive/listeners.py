"""What the layers above hear of every archive event, in the transaction that records it.

Integrations (outgoing webhooks, the Klantinteracties registration, the Notificaties API)
must hear of every change exactly once, also after a crash: so they hear of it *inside* the
transaction that records it and write their own outbox rows there (a transactional outbox),
which a task then sends. A listener is registered in its app's ``AppConfig.ready`` (a higher
layer registering with a lower one, decision 0018) and is called by ``record_events`` with
the batch of events just appended (one call per batch, also on the group-commit write path).

A listener runs on the hot path: it must cost next to nothing for organisations that do not
use it (one indexed query per batch at most) and must never raise for a problem of its own
— an exception rolls back the change it heard of.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from balie.archive.models import ArchiveEvent

__all__ = ["Listener", "notify", "register", "unregister"]

Listener = Callable[[Sequence["ArchiveEvent"]], None]

_listeners: list[Listener] = []


def register(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unregister(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def notify(events: Sequence[ArchiveEvent]) -> None:
    """Called by ``record_events`` inside the recording transaction."""
    for listener in _listeners:
        listener(events)
