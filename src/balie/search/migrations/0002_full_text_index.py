"""The full-text index itself, which differs per database (see balie.search.backends).

SQLite: an FTS5 table with external content ``search_entry`` (rowid = message id) and the
three triggers that keep it in step, so every INSERT, UPDATE and DELETE on ``search_entry``
(also Django's flush between tests) reaches the index. PostgreSQL: a ``tsvector`` column and
its GIN index.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='search_entry', "
    "content_rowid='message_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.message_id, new.terms); END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) "
    "VALUES ('delete', old.message_id, old.terms); END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) "
    "VALUES ('delete', old.message_id, old.terms); "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.message_id, new.terms); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER search_entry_au",
    "DROP TRIGGER search_entry_ad",
    "DROP TRIGGER search_entry_ai",
    "DROP TABLE search_fts",
]
POSTGRESQL = [
    "ALTER TABLE search_entry ADD COLUMN document tsvector NOT NULL",
    "CREATE INDEX search_entry_document ON search_entry USING gin (document)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX search_entry_document",
    "ALTER TABLE search_entry DROP COLUMN document",
]


def _run(forward: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {
            "sqlite": SQLITE if forward else SQLITE_REVERSE,
            "postgresql": POSTGRESQL if forward else POSTGRESQL_REVERSE,
        }.get(vendor)
        if statements is None:
            raise RuntimeError(f"Balie's search supports SQLite and PostgreSQL, not {vendor}.")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(True), _run(False))]
