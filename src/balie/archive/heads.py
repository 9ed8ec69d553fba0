"""Chain heads: the newest record of an organisation's chain, locked while appending.

Used by both chains (archive events and the audit log); the lock serialises appends per
organisation on PostgreSQL (SQLite's IMMEDIATE transaction already holds the write lock).
"""

from __future__ import annotations

from typing import TypeVar

from django.db import connection, models

from balie.archive import chain

Head = TypeVar("Head", bound=models.Model)


def lock_heads(model: type[Head], organisation_ids: set[int]) -> dict[int, Head]:
    """The heads of these organisations, locked, created at GENESIS when missing."""

    def select() -> dict[int, Head]:
        qs = model._default_manager.filter(pk__in=organisation_ids).order_by("pk")
        if connection.features.has_select_for_update:
            qs = qs.select_for_update()
        return {head.pk: head for head in qs}

    heads = select()
    missing = organisation_ids - heads.keys()
    if missing:  # an organisation's first record starts its chain
        model._default_manager.bulk_create(
            [model(organisation_id=pk, last_hash=chain.GENESIS) for pk in missing],
            ignore_conflicts=True,
        )
        heads = select()
    return heads
