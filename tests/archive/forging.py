"""What an insider with database access does: raw SQL past the archive's triggers.

The owner of the database can drop the triggers, change what they like and put the triggers
back, all in one transaction. What ``balie verify`` must still catch.
"""

from __future__ import annotations

from django.db import connection, transaction

from balie.archive.triggers import guards


def forged(statements: list[tuple[str, list]]) -> None:
    """Run raw SQL statements with the database's guards out of the way, in one transaction."""
    create, drop = guards(connection.vendor)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)
        for sql, params in statements:
            cursor.execute(sql, params)
        for statement in create:
            cursor.execute(statement)
