"""What the layers above keep in step with the conversations, registered at start-up.

The conversations layer writes messages and changes conversations; two packages above it
must follow inside the same transaction, and it may not import them (decision 0018):

- the **search index** (:mod:`balie.search.index`) gets an entry per new message, follows
  edits and deletions, and copies the conversation attributes it filters on;
- **records management** (:mod:`balie.records`) chooses a new or moved conversation's record
  class, adds its retention details to the conversation as staff open it, and says which
  conversations a hold covers (nothing of those is removed, not even an unsent upload).

Layers above may add to what staff see as they open a conversation
(:func:`register_opening_details`): records management its retention details, the
Klantinteracties integration the state of the conversation's registration.

Each registers itself here in its ``AppConfig.ready``; the actions call the registered
follower. Until one registers (a bare test of this layer) the defaults do nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from balie.conversations.models import Conversation, Message, Team

__all__ = [
    "MessageIndex",
    "index",
    "opening_details",
    "record_class_for",
    "register_index",
    "register_opening_details",
    "register_record_class_rule",
    "held",
    "register_hold_rule",
]


class MessageIndex(Protocol):
    """The search index as the writers see it."""

    @property
    def COPIED(self) -> tuple[str, ...]:  # noqa: N802 - a module constant where it is defined
        """The conversation fields an entry copies (read under the writer's lock)."""
        ...

    def index_messages(
        self, messages: Iterable[Message], copied: dict[int, tuple] | None = None
    ) -> None: ...

    def reindex_message(self, message: Message) -> None: ...

    def follow_conversations(self, conversation_ids: Iterable[int]) -> None: ...


class _NoIndex:
    COPIED: tuple[str, ...] = ()

    def index_messages(self, messages, copied=None) -> None:
        return None

    def reindex_message(self, message) -> None:
        return None

    def follow_conversations(self, conversation_ids) -> None:
        return None


RecordClassRule = Callable[..., Any]  # (organisation_id, *, team, channel) -> RecordClass | None
OpeningDetails = Callable[["Conversation"], dict[str, Any]]

_index: MessageIndex = _NoIndex()
_record_class_rule: RecordClassRule | None = None
_opening_details: list[OpeningDetails] = []
HoldRule = Callable[[int, Iterable[int]], dict[int, Any]]  # (organisation, ids) -> {id: holds}
_hold_rule: HoldRule | None = None


def register_index(message_index: MessageIndex) -> None:
    global _index
    _index = message_index


def index() -> MessageIndex:
    return _index


def register_record_class_rule(rule: RecordClassRule) -> None:
    global _record_class_rule
    _record_class_rule = rule


def record_class_for(organisation_id: int, *, team: Team | None, channel: str) -> Any:
    """The record class a conversation gets from its team and channel (None: none set)."""
    if _record_class_rule is None:
        return None
    return _record_class_rule(organisation_id, team=team, channel=channel)


def register_opening_details(details: OpeningDetails) -> None:
    if details not in _opening_details:
        _opening_details.append(details)


def opening_details(conversation: Conversation) -> dict[str, Any]:
    """What the registered layers add to a conversation as staff open it."""
    found: dict[str, Any] = {}
    for details in _opening_details:
        found.update(details(conversation))
    return found


def register_hold_rule(rule: HoldRule) -> None:
    global _hold_rule
    _hold_rule = rule


def held(organisation_id: int, conversation_ids: Iterable[int]) -> set[int]:
    """Which of these conversations an active hold covers (none until records registers)."""
    if _hold_rule is None:
        return set()
    return set(_hold_rule(organisation_id, conversation_ids))
