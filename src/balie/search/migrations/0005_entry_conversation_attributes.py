"""Search entries carry copies of their conversation's status, channel, team and record
class; an index on their conversation.

A common word narrowed by one of those ("graag", open conversations only) had to read every
entry with the word to look up its conversation: 100,000 heap rows for 10,000 results at 1M
messages (p95 166-295 ms on PostgreSQL). With the copies on the entry (decision 0017):

- PostgreSQL: the GIN index holds (document, status, channel, team_id, record_class_id,
  labels) (``btree_gin`` gives GIN the plain columns; ``labels`` is a ``bigint[]`` column
  outside Django's model, like ``document``), so the word and the filters are intersected
  inside the index (108 -> 13 ms for the bare count of "graag" in open conversations);
- both: the index on ``conversation_id`` lets a change of the conversation update its
  entries, and a selective conversation filter (a contact, a zaaknummer) start from the
  conversation instead of from every match of the word.

Raw SQL, as Django would rebuild SQLite's table (losing its rowid layout and the FTS5
triggers) to add a NOT NULL column. SQLite's update trigger now fires only when the terms
change, so a status change does not rewrite the full-text index.
Depends on the latest conversations and archive migrations: the fill copies the values they
leave. The entries are then
written again from the messages (this is the newest migration that changes the layout; see
0004).
"""

import importlib

from django.db import migrations, models

BATCH = 2000
INDEXED = ("inbound", "outbound", "note")

full_text = importlib.import_module("balie.search.migrations.0002_full_text_index")

COLUMNS = [
    "ALTER TABLE search_entry ADD COLUMN status varchar(16) NOT NULL DEFAULT ''",
    "ALTER TABLE search_entry ADD COLUMN channel varchar(16) NOT NULL DEFAULT ''",
    "ALTER TABLE search_entry ADD COLUMN team_id bigint NULL",
    "ALTER TABLE search_entry ADD COLUMN record_class_id bigint NULL",
    "CREATE INDEX search_entry_conversation ON search_entry (conversation_id)",
]
COLUMNS_REVERSE = [
    "DROP INDEX search_entry_conversation",
    "ALTER TABLE search_entry DROP COLUMN record_class_id",
    "ALTER TABLE search_entry DROP COLUMN team_id",
    "ALTER TABLE search_entry DROP COLUMN channel",
    "ALTER TABLE search_entry DROP COLUMN status",
]
SQLITE_TRIGGER = [
    "DROP TRIGGER search_entry_au",
    "CREATE TRIGGER search_entry_au AFTER UPDATE OF terms ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) "
    "VALUES ('delete', old.message_id, old.terms); "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.message_id, new.terms); END",
]
SQLITE_TRIGGER_REVERSE = [
    "DROP TRIGGER search_entry_au",
    full_text.SQLITE[-1],
]
POSTGRESQL_GIN = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    # Labels: an array only PostgreSQL has, outside Django's model like ``document``.
    "ALTER TABLE search_entry ADD COLUMN labels bigint[] NOT NULL DEFAULT '{}'",
    "DROP INDEX search_entry_document",
    "CREATE INDEX search_entry_document ON search_entry "
    "USING gin (document, status, channel, team_id, record_class_id, labels)",
]
POSTGRESQL_GIN_REVERSE = [
    "DROP INDEX search_entry_document",
    "ALTER TABLE search_entry DROP COLUMN labels",
    "CREATE INDEX search_entry_document ON search_entry USING gin (document)",
]


def _run(statements_by_vendor: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def index_existing(apps, schema_editor):
    """Every indexable message written again, with its conversation's attributes."""
    from balie.search.backends import Entry, postgres, sqlite

    backend = postgres if schema_editor.connection.vendor == "postgresql" else sqlite
    schema_editor.execute("DELETE FROM search_entry")
    Message = apps.get_model("conversations", "Message")
    rows = (
        Message.objects.filter(direction__in=INDEXED, deleted_at__isnull=True)
        .exclude(body="")
        .order_by("pk")
        .values_list(
            "pk",
            "organisation_id",
            "conversation_id",
            "created_at",
            "direction",
            "body",
            "conversation__status",
            "conversation__channel",
            "conversation__team_id",
            "conversation__record_class_id",
        )
    )
    Tagged = apps.get_model("conversations", "Conversation").labels.through
    labels: dict[int, list[int]] = {}
    if backend.COPIES_LABELS:
        for conversation_id, label_id in Tagged.objects.order_by("label_id").values_list(
            "conversation_id", "label_id"
        ):
            labels.setdefault(conversation_id, []).append(label_id)
    batch = []
    with schema_editor.connection.cursor() as cursor:
        for row in rows.iterator(chunk_size=BATCH):
            batch.append(Entry(*row, tuple(labels.get(row[2], ()))))
            if len(batch) == BATCH:
                backend.write(cursor, batch)
                batch = []
        backend.write(cursor, batch)


def remove_all(apps, schema_editor):
    schema_editor.execute("DELETE FROM search_entry")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_entry_filter_columns"),
        ("conversations", "0005_imported_conversations"),
        ("archive", "0011_hold_saved_search"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(
                    _run({"sqlite": COLUMNS, "postgresql": COLUMNS}),
                    _run({"sqlite": COLUMNS_REVERSE, "postgresql": COLUMNS_REVERSE}),
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="searchentry",
                    name="status",
                    field=models.CharField(
                        blank=True, help_text="The conversation's status.", max_length=16
                    ),
                ),
                migrations.AddField(
                    model_name="searchentry",
                    name="channel",
                    field=models.CharField(
                        blank=True, help_text="The conversation's channel.", max_length=16
                    ),
                ),
                migrations.AddField(
                    model_name="searchentry",
                    name="team_id",
                    field=models.BigIntegerField(
                        blank=True, help_text="The conversation's team.", null=True
                    ),
                ),
                migrations.AddField(
                    model_name="searchentry",
                    name="record_class_id",
                    field=models.BigIntegerField(
                        blank=True, help_text="The conversation's record class.", null=True
                    ),
                ),
                migrations.AddIndex(
                    model_name="searchentry",
                    index=models.Index(fields=["conversation"], name="search_entry_conversation"),
                ),
            ],
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_TRIGGER, "postgresql": POSTGRESQL_GIN}),
            _run({"sqlite": SQLITE_TRIGGER_REVERSE, "postgresql": POSTGRESQL_GIN_REVERSE}),
        ),
        migrations.RunPython(index_existing, remove_all),
    ]
