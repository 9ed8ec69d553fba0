"""The one checker for values from outside: every frame, every API body, every id.

A text that the database cannot store (a NUL character, a lone surrogate such as
``"\\udc80"`` that JSON lets through) or a whole number outside what a database integer
holds would otherwise fail only when the transaction writes it, taking every other send of a
group-commit batch with it. The surfaces check here first: the sockets every field of every
frame (:mod:`balie.realtime.protocol`), the API every body and query parameter
(:mod:`balie.api.parsers`, :mod:`balie.api.fields`), the actions the values they are given.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from balie.conversations.actions.errors import ActionError
from balie.errors import Invalid

__all__ = [
    "MAX_INT",
    "MIN_INT",
    "InvalidField",
    "InvalidText",
    "check_ids",
    "check_int",
    "check_json",
    "check_text",
    "checked_text",
    "id_from_outside",
]

MAX_INT = 2**63 - 1  # the largest value of a BIGINT column, on SQLite and PostgreSQL alike
MIN_INT = -(2**63)


class InvalidText(Invalid):
    """A text with a NUL character or a lone surrogate: no database stores it."""

    default_code = "invalid_text"
    default_message = _("'%(name)s' contains characters that are not allowed.")


class InvalidField(Invalid):
    """A whole number that is not one, or outside the range the field allows."""

    default_code = "invalid_field"
    default_message = _("'%(name)s' must be a whole number from %(minimum)s to %(maximum)s.")


def check_text(value: str, name: str) -> str:
    """``value`` unchanged, or :class:`InvalidText` for a NUL or a lone surrogate."""
    if "\x00" in value:
        raise InvalidText(field=name, params={"name": name})
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # only lone surrogates fail to encode
            raise InvalidText(field=name, params={"name": name}) from None
    return value


def checked_text(value: object, name: str, limit: int, *, required: bool = True) -> str:
    """A text field from outside, stripped: required unless ``required`` is False (then None
    or blank gives ""), at most ``limit`` characters, no NUL or lone surrogate."""
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ActionError("invalid_field", _("%(name)s is required."), params={"name": name})
    value = check_text(value.strip(), name)
    if len(value) > limit:
        raise ActionError(
            "invalid_field",
            _("%(name)s is too long (at most %(limit)s characters)."),
            params={"name": name, "limit": limit},
        )
    return value


def check_int(value: object, name: str, *, minimum: int = 1) -> int:
    """A whole number (not a bool) from ``minimum`` to :data:`MAX_INT`; ids start at 1."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_INT:
        raise InvalidField(
            field=name, params={"name": name, "minimum": minimum, "maximum": MAX_INT}
        )
    return value


_ID_TEXT = re.compile(r"[1-9][0-9]{0,18}")


def id_from_outside(value: object) -> int | None:
    """An id from a URL or a body: an int, or ASCII digits without sign, space or underscore,
    from 1 to :data:`MAX_INT`; otherwise None (the selectors answer "not found"). The one
    parser of ids for every selector, so that "12", 12, " 12", "1_2" and "١٢" are treated
    alike everywhere."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not _ID_TEXT.fullmatch(value):
            return None
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= MAX_INT:
        return None
    return value


def check_ids(values: object, name: str) -> list[int]:
    """A list of ids, each checked on its own (``name.0``, ``name.1``, … in the error)."""
    if not isinstance(values, list | tuple):
        raise InvalidField(field=name, params={"name": name, "minimum": 1, "maximum": MAX_INT})
    return [check_int(value, f"{name}.{index}") for index, value in enumerate(values)]


def check_json(value: Any, name: str = "") -> None:
    """Walk parsed JSON: every text (keys too) through :func:`check_text`, every whole
    number within a database integer. Iterative, so deep nesting cannot exhaust the stack."""
    pending: list[tuple[Any, str]] = [(value, name)]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str):
            check_text(item, path or "body")
        elif isinstance(item, dict):
            for key, child in item.items():
                key = check_text(str(key), path or "body")
                pending.append((child, f"{path}.{key}" if path else key))
        elif isinstance(item, list):
            pending.extend((child, f"{path}.{index}") for index, child in enumerate(item))
        elif isinstance(item, int) and not isinstance(item, bool):
            check_int(item, path or "body", minimum=MIN_INT)
