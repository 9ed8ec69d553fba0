"""PostgreSQL: the search entries in one partition per month of their message's time.

A broad search wants the newest matches first and should stop when it has enough. A GIN
index cannot hand out its matches in time order, so on one big table every match is read to
find the newest. With a partition per month (each with its own GIN index), a search reads
the newest months first and stops once its window is full (see ``backends.postgres``).

Partitions are made when needed: before entries are written for a month that has none (an
advisory lock makes concurrent writers take turns, and ``IF NOT EXISTS`` lets the second one
through), and ahead of time by the daily ``search-partitions`` job so that the first message of
a month does not wait for it. Bounds are in UTC. On SQLite every function here does nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import partial

from django.db import connection, transaction

__all__ = ["ensure", "ensure_ahead", "forget", "month_of", "months", "next_month"]

PARENT = "search_entry"
_LOCK = 7_311_604  # pg_advisory_xact_lock key: "search partitions"

# Months known to have a committed partition, per process.
_known: set[date] = set()


def month_of(moment: datetime) -> date:
    utc = moment.astimezone(UTC)
    return date(utc.year, utc.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _name(month: date) -> str:
    return f"{PARENT}_p{month:%Y%m}"


def _bound(month: date) -> str:
    return f"{month:%Y-%m-%d} 00:00:00+00"


def ensure(cursor, wanted: Iterable[date]) -> None:
    """Make the partitions of these months that do not exist yet (in the caller's
    transaction: a rollback takes a new partition back with it)."""
    if connection.vendor != "postgresql":
        return
    missing = sorted(set(wanted) - _known)
    if not missing:
        return
    locked = False
    for month in missing:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [_name(month)])
        if not cursor.fetchone()[0]:
            if not locked:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
                locked = True
            cursor.execute(
                f'CREATE TABLE IF NOT EXISTS "{_name(month)}" PARTITION OF {PARENT} '  # noqa: S608 - a date
                f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(next_month(month))}')"
            )
        # Known only once committed: this transaction may have made it, and may roll back.
        transaction.on_commit(partial(_known.add, month))


def ensure_ahead(ahead: int = 2, today: date | None = None) -> list[date]:
    """The daily job: partitions for this month and the next ``ahead`` months."""
    month = month_of(datetime.now(UTC)) if today is None else today.replace(day=1)
    wanted = [month]
    for _ in range(ahead):
        wanted.append(next_month(wanted[-1]))
    with transaction.atomic(), connection.cursor() as cursor:
        ensure(cursor, wanted)
    return wanted


def months(cursor) -> list[date]:
    """The months that have a partition, newest first."""
    if connection.vendor != "postgresql":
        return []
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass",
        [PARENT],
    )
    found = []
    for (name,) in cursor.fetchall():
        stamp = name.removeprefix(f"{PARENT}_p")
        if len(stamp) == 6 and stamp.isdigit():
            found.append(date(int(stamp[:4]), int(stamp[4:]), 1))
    return sorted(found, reverse=True)


def forget() -> None:
    """After the table was made anew (a migration): no partition is known any more."""
    _known.clear()
