"""Database triggers that guard the archive, for SQLite and PostgreSQL.

Used by the archive's migrations. Version 1 (``append_only``, migrations 0005 and 0007) let
UPDATE and DELETE through while any row existed in ``archive_destructionpermit``: one INSERT
switched every guard off. Version 2 (:func:`guards`, migration 0013) replaces it:

- archive events and audit entries: UPDATE and DELETE only under a *valid* permit;
- chain heads (``ChainHead``, ``AuditHead``) only grow: moving one to a lower seq, to another
  hash at the same seq, or deleting it needs a valid permit (no procedure does either);
- TRUNCATE (PostgreSQL) only of an already empty table.

A permit is valid when it is the only row in the table and names a destruction list that is
being carried out (status ``approved``); on PostgreSQL it must also have been written in the
current transaction (``txid``, set by a trigger from ``txid_current()`` on insert).
SQLite has no transaction id to compare: there the binding rests on the single writer, on the
procedure deleting its permit before the commit and on ``balie verify`` reporting any permit
it sees. The triggers do not stop the database's owner, who can drop them: ``balie verify``
(chain, runs, checkpoints, live rows) is what catches that.
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


# Version 2 (migration 0013): a permit counts only when it is the one permit, names a
# destruction list that is being carried out (status approved) and, on PostgreSQL, was
# written in this very transaction (``txid``, filled in by a trigger on insert). Chain heads
# only grow. TRUNCATE is refused unless the table is already empty.

LIST = "archive_destructionlist"
GUARDED = [  # (table, name, message) of the append-only tables
    ("archive_archiveevent", "archive_event", "archive events are append-only"),
    ("archive_auditentry", "audit_entry", "the audit log is append-only"),
]
HEADS = [("archive_chainhead", "chain_head"), ("archive_audithead", "audit_head")]
HEADS_MESSAGE = "chain heads only grow"

_SQLITE_PERMIT = (
    f"((SELECT count(*) FROM {PERMIT}) = 1 AND EXISTS (SELECT 1 FROM {PERMIT} p "
    f"JOIN {LIST} l ON l.id = p.destruction_list_id WHERE l.status = 'approved'))"
)
_POSTGRES_PERMIT = [
    f"""CREATE FUNCTION archive_permit_valid() RETURNS boolean AS $$
        SELECT (SELECT count(*) FROM {PERMIT}) = 1 AND EXISTS (
            SELECT 1 FROM {PERMIT} p JOIN {LIST} l ON l.id = p.destruction_list_id
            WHERE p.txid = txid_current() AND l.status = 'approved')
        $$ LANGUAGE sql VOLATILE""",
    """CREATE FUNCTION archive_permit_bind() RETURNS trigger AS $$
        BEGIN NEW.txid := txid_current(); RETURN NEW; END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER archive_permit_bind BEFORE INSERT OR UPDATE ON {PERMIT}
        FOR EACH ROW EXECUTE FUNCTION archive_permit_bind()""",
]
_POSTGRES_PERMIT_DROP = [
    f"DROP TRIGGER IF EXISTS archive_permit_bind ON {PERMIT}",
    "DROP FUNCTION IF EXISTS archive_permit_bind()",
    "DROP FUNCTION IF EXISTS archive_permit_valid()",
]
_HEAD_MOVES_BACK = (
    "(NEW.last_seq < OLD.last_seq OR (NEW.last_seq = OLD.last_seq AND "
    "NEW.last_hash <> OLD.last_hash) OR NEW.organisation_id <> OLD.organisation_id)"
)


def _postgres_function(name: str, table: str, message: str, refuse_update: str) -> str:
    return f"""CREATE FUNCTION {name}_guard() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                IF EXISTS (SELECT 1 FROM {table}) THEN
                    RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NULL;
            END IF;
            IF (TG_OP = 'DELETE' OR {refuse_update}) AND NOT archive_permit_valid() THEN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql"""


def _guard_sql(vendor: str, table: str, name: str, message: str, update_when: str):
    """(create, drop) statements of one guarded table."""
    if vendor == "sqlite":
        create = [
            f"""CREATE TRIGGER {name}_no_update BEFORE UPDATE ON {table}
                WHEN {update_when} AND NOT {_SQLITE_PERMIT}
                BEGIN SELECT RAISE(ABORT, '{message}'); END""",
            f"""CREATE TRIGGER {name}_no_delete BEFORE DELETE ON {table}
                WHEN NOT {_SQLITE_PERMIT}
                BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        ]
        drop = [f"DROP TRIGGER IF EXISTS {name}_no_{op}" for op in ("update", "delete")]
        return create, drop
    if vendor == "postgresql":
        refuse_update = "TRUE" if update_when == "1" else update_when
        create = [
            _postgres_function(name, table, message, refuse_update),
            f"""CREATE TRIGGER {name}_guard BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {name}_guard()""",
            f"""CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION {name}_guard()""",
        ]
        drop = [
            f"DROP TRIGGER IF EXISTS {name}_no_truncate ON {table}",
            f"DROP TRIGGER IF EXISTS {name}_guard ON {table}",
            f"DROP FUNCTION IF EXISTS {name}_guard()",
        ]
        return create, drop
    raise RuntimeError(f"no append-only triggers for {vendor}")


def guards(vendor: str) -> tuple[list[str], list[str]]:
    """(create, drop) statements of every current guard: the append-only tables, the chain
    heads and (PostgreSQL) the permit's binding to its transaction."""
    create: list[str] = list(_POSTGRES_PERMIT) if vendor == "postgresql" else []
    drop: list[str] = []
    parts = [(table, name, message, "1") for table, name, message in GUARDED]
    parts += [(table, name, HEADS_MESSAGE, _HEAD_MOVES_BACK) for table, name in HEADS]
    for table, name, message, update_when in parts:
        more_create, more_drop = _guard_sql(vendor, table, name, message, update_when)
        create += more_create
        drop += more_drop
    if vendor == "postgresql":
        drop += _POSTGRES_PERMIT_DROP
    return create, drop


def _v1(vendor: str) -> tuple[list[str], list[str]]:
    create: list[str] = []
    drop: list[str] = []
    for table, name, message in GUARDED:
        more_create, more_drop = _sql(table, name, message)[vendor]
        create += more_create
        drop += more_drop
    return create, drop


def bind_permits():
    """((forward, backward), (forward, backward)) for two ``migrations.RunPython``: the first,
    before the permit's new columns, drops version 1's triggers; the second, after them,
    creates :func:`guards`. (Backwards the other way round: SQLite rebuilds the permit table
    to remove a column, which it refuses while a trigger names the table.)"""

    def run(statements):
        def apply(apps, schema_editor):
            for statement in statements(schema_editor.connection.vendor):
                schema_editor.execute(statement)

        return apply

    drop_v1 = (run(lambda vendor: _v1(vendor)[1]), run(lambda vendor: _v1(vendor)[0]))
    create_v2 = (run(lambda vendor: guards(vendor)[0]), run(lambda vendor: guards(vendor)[1]))
    return drop_v1, create_v2
