"""What a conversation knows that the text alone does not: :class:`Context`.

``participants`` are the people the contact data names (their names, phone numbers and
e-mail addresses are found wherever they occur); ``allow`` is the organisation's allow-list
(its own phone numbers, e-mail addresses, street addresses, URLs, the names of public office
holders and any other exact texts) which stays readable; ``grounds`` overrides the Woo ground
per category. Built from plain data (a JSON object) by :meth:`Context.from_dict`, which names
the first thing that is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from balie.errors import Invalid

from .spans import CATEGORIES, DEFAULT_GROUNDS

__all__ = ["ALLOW_KINDS", "Context", "ContextError", "Participant"]

ALLOW_KINDS = ("names", "phones", "emails", "addresses", "urls", "texts")
MAX_ITEMS = 10_000  # per list: an allow-list is an organisation's, not a phone book
MAX_ITEM_LENGTH = 500


class ContextError(Invalid):
    """The context is not what :meth:`Context.from_dict` reads; the message says where."""

    default_code = "pii_context_invalid"


@dataclass(frozen=True, slots=True)
class Participant:
    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Context:
    participants: tuple[Participant, ...] = ()
    allow: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    grounds: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_GROUNDS))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Context:
        if data is None:
            return EMPTY
        if not isinstance(data, Mapping):
            raise ContextError(message="context: expected an object")
        unknown = set(data) - {"participants", "allow", "grounds"}
        if unknown:
            raise ContextError(message=f"context: unknown key {sorted(unknown)[0]!r}")
        return cls(
            participants=_participants(_given(data, "participants", [])),
            allow=_allow(_given(data, "allow", {})),
            grounds=_grounds(_given(data, "grounds", {})),
        )

    def merged(self, other: Context) -> Context:
        """This context with ``other``'s participants and allow-list added, its grounds first."""
        allow = {
            k: tuple(dict.fromkeys((*self.allow.get(k, ()), *other.allow.get(k, ()))))
            for k in ALLOW_KINDS
        }
        grounds = dict(self.grounds)
        grounds.update({k: v for k, v in other.grounds.items() if v != DEFAULT_GROUNDS[k]})
        return Context(self.participants + other.participants, allow, grounds)


def _given(data: Mapping[str, Any], key: str, default: Any) -> Any:
    value = data.get(key)
    return default if value is None else value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ContextError(message=f"{where}: expected a string")
    if len(value) > MAX_ITEM_LENGTH:
        raise ContextError(message=f"{where}: longer than {MAX_ITEM_LENGTH} characters")
    return value.strip()


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ContextError(message=f"{where}: expected a list")
    if len(value) > MAX_ITEMS:
        raise ContextError(message=f"{where}: more than {MAX_ITEMS} items")
    return value


def _participants(value: Any) -> tuple[Participant, ...]:
    people = []
    for i, item in enumerate(_list(value, "context.participants")):
        where = f"context.participants[{i}]"
        if not isinstance(item, Mapping):
            raise ContextError(message=f"{where}: expected an object")
        unknown = set(item) - {"name", "phone", "email"}
        if unknown:
            raise ContextError(message=f"{where}: unknown key {sorted(unknown)[0]!r}")
        people.append(
            Participant(**{k: _text(v, f"{where}.{k}") for k, v in item.items() if v is not None})
        )
    return tuple(people)


def _allow(value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise ContextError(message="context.allow: expected an object")
    unknown = set(value) - set(ALLOW_KINDS)
    if unknown:
        raise ContextError(
            message=f"context.allow: unknown key {sorted(unknown)[0]!r} "
            f"(one of {', '.join(ALLOW_KINDS)})"
        )
    allow = {}
    for kind in ALLOW_KINDS:
        items = _list(_given(value, kind, []), f"context.allow.{kind}")
        texts = (_text(item, f"context.allow.{kind}[{i}]") for i, item in enumerate(items))
        allow[kind] = tuple(t for t in texts if t)
    return allow


def _grounds(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ContextError(message="context.grounds: expected an object")
    grounds = dict(DEFAULT_GROUNDS)
    for category, ground in value.items():
        if category not in CATEGORIES:
            raise ContextError(message=f"context.grounds: unknown category {category!r}")
        ground = _text(ground, f"context.grounds.{category}")
        if not ground:
            raise ContextError(message=f"context.grounds.{category}: empty")
        grounds[category] = ground
    return grounds


EMPTY = Context(allow={kind: () for kind in ALLOW_KINDS})
