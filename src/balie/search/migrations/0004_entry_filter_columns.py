"""Search entries carry their message's organisation, conversation, time and kind.

The index is derived data, so the entries are rebuilt: emptied (on SQLite the FTS5 table and
its triggers are dropped first, as adding NOT NULL columns rebuilds the table and would lose
them), given the new columns, the table made anew in the layout each database searches
fastest (SQLite: the message id as rowid; PostgreSQL: one partition per month, see
``balie.search.partitions``). Migration 0005 writes the entries again from the messages: the
fill uses the current backend's INSERT, which writes every column of the latest layout, so it
runs in the newest migration that changes the layout.
"""

import importlib

from django.db import migrations, models

full_text = importlib.import_module("balie.search.migrations.0002_full_text_index")


def drop_full_text(apps, schema_editor):
    schema_editor.execute("DELETE FROM search_entry")
    if schema_editor.connection.vendor == "sqlite":
        for statement in full_text.SQLITE_REVERSE:
            schema_editor.execute(statement)


def create_full_text(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in full_text.SQLITE:
            schema_editor.execute(statement)


# SQLite: the message id as the table's own rowid (INTEGER PRIMARY KEY; Django would declare
# it bigint, which keeps a hidden rowid and a second b-tree): every match then costs one
# b-tree search instead of two (graag + status: 75 -> 49 ms at 1M messages).
SQLITE_ROWID_TABLE = [
    "DROP TABLE search_entry",
    'CREATE TABLE "search_entry" ('
    '"message_id" integer NOT NULL PRIMARY KEY REFERENCES "conversations_message" ("id") '
    "DEFERRABLE INITIALLY DEFERRED, "
    '"terms" text NOT NULL, '
    '"organisation_id" bigint NOT NULL REFERENCES "tenants_organisation" ("id") '
    "DEFERRABLE INITIALLY DEFERRED, "
    '"conversation_id" bigint NOT NULL REFERENCES "conversations_conversation" ("id") '
    "DEFERRABLE INITIALLY DEFERRED, "
    '"created_at" datetime NOT NULL, '
    '"direction" varchar(16) NOT NULL)',
]


_REFERENCES = (
    '"message_id" bigint NOT NULL REFERENCES "conversations_message" ("id") '
    "DEFERRABLE INITIALLY DEFERRED, "
    '"terms" text NOT NULL, '
    '"organisation_id" bigint NOT NULL REFERENCES "tenants_organisation" ("id") '
    "DEFERRABLE INITIALLY DEFERRED, "
    '"conversation_id" bigint NOT NULL REFERENCES "conversations_conversation" ("id") '
    "DEFERRABLE INITIALLY DEFERRED, "
    '"created_at" timestamp with time zone NOT NULL, '
    '"direction" varchar(16) NOT NULL, '
    '"document" tsvector NOT NULL'
)
# PostgreSQL: partitioned by month of the message's time; the primary key must hold the
# partition key. The GIN index on the parent is made on every partition.
POSTGRESQL_PARTITIONED_TABLE = [
    "DROP TABLE search_entry",
    f'CREATE TABLE "search_entry" ({_REFERENCES}, PRIMARY KEY ("message_id", "created_at")) '
    'PARTITION BY RANGE ("created_at")',
    "CREATE INDEX search_entry_document ON search_entry USING gin (document)",
]
# Back to one table as 0002 left it (with the columns the AddFields below remove again).
POSTGRESQL_PLAIN_TABLE = [
    "DROP TABLE search_entry",
    f'CREATE TABLE "search_entry" ({_REFERENCES}, PRIMARY KEY ("message_id"))',
    "CREATE INDEX search_entry_document ON search_entry USING gin (document)",
]


def new_table(apps, schema_editor):
    from balie.search import partitions

    statements = {
        "sqlite": SQLITE_ROWID_TABLE,
        "postgresql": POSTGRESQL_PARTITIONED_TABLE,
    }[schema_editor.connection.vendor]
    for statement in statements:
        schema_editor.execute(statement)
    partitions.forget()


def old_table(apps, schema_editor):
    from balie.search import partitions

    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_PLAIN_TABLE:
            schema_editor.execute(statement)
    partitions.forget()


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0003_message_edits"),
        ("tenants", "0001_initial"),
        ("search", "0003_index_existing_messages"),
    ]

    operations = [
        migrations.RunPython(drop_full_text, create_full_text),
        migrations.AddField(
            model_name="searchentry",
            name="organisation",
            field=models.ForeignKey(
                default=0,
                db_index=False,
                on_delete=models.DO_NOTHING,
                related_name="+",
                to="tenants.organisation",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="searchentry",
            name="conversation",
            field=models.ForeignKey(
                default=0,
                db_index=False,
                on_delete=models.DO_NOTHING,
                related_name="+",
                to="conversations.conversation",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="searchentry",
            name="created_at",
            field=models.DateTimeField(default="2000-01-01T00:00:00Z"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="searchentry",
            name="direction",
            field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.RunPython(new_table, old_table),
        migrations.RunPython(create_full_text, drop_full_text),
    ]
