"""Database triggers that make a table append-only, for SQLite and PostgreSQL.

Used by the archive's migrations. Changes go through only while a row exists in
``archive_destructionpermit`` — which the destruction procedure inserts and removes again
inside its own transaction, so no other transaction ever sees it.
"""

from __future__ import annotations

PERMIT = "archive_destructionpermit"


def _sql(table: str, name: str, message: str) -> dict[str, tuple[list[str], list[str]]]:
    """{vendor: (statements that create the triggers, statements that drop them)}."""
    sqlite = [
        f"""CREATE TRIGGER {name}_no_{op.lower()} BEFORE {op} ON {table}
            WHEN NOT EXISTS (SELECT 1 FROM {PERMIT})
            BEGIN SELECT RAISE(ABORT, '{message}'); END"""
        for op in ("UPDATE", "DELETE")
    ]
    sqlite_drop = [f"DROP TRIGGER IF EXISTS {name}_no_{op}" for op in ("update", "delete")]
    postgres = [
        f"""CREATE FUNCTION {name}_append_only() RETURNS trigger AS $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM {PERMIT}) THEN
                    RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""",
        f"""CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {name}_append_only()""",
        # TRUNCATE skips row triggers: refuse it as a statement.
        f"""CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {name}_append_only()""",
    ]
    postgres_drop = [
        f"DROP TRIGGER IF EXISTS {name}_no_truncate ON {table}",
        f"DROP TRIGGER IF EXISTS {name}_append_only ON {table}",
        f"DROP FUNCTION IF EXISTS {name}_append_only()",
    ]
    return {"sqlite": (sqlite, sqlite_drop), "postgresql": (postgres, postgres_drop)}


def append_only(table: str, name: str, message: str):
    """(forward, backward) functions for ``migrations.RunPython``."""
    statements = _sql(table, name, message)

    def run(create: bool):
        def apply(apps, schema_editor):
            vendor = schema_editor.connection.vendor
            if vendor not in statements:
                raise RuntimeError(f"no append-only triggers for {vendor}")
            for statement in statements[vendor][0 if create else 1]:
                schema_editor.execute(statement)

        return apply

    return run(True), run(False)
