"""A covering index for the supervisor dashboard's figures, on PostgreSQL.

Every dashboard query reads one organisation's conversations started in a period
(``conversation_org_created``'s keys) and then only the kind, team, channel and the two
timings. With those as INCLUDE columns PostgreSQL answers from the index alone (an
index-only scan) instead of visiting a heap page per conversation: bench/dashboard.py
measured the difference on a million conversations (docs/performance.md).

PostgreSQL only, and not in the model's Meta: Django's system check warns that SQLite has no
covering indexes (models.W040), and SQLite's dashboard serves small installations. Made
CONCURRENTLY (so the migration is not atomic): writes to conversations go on meanwhile.
"""

from django.db import migrations

INDEX = "conversation_org_created_timings"
CREATE = (
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON conversations_conversation "
    "(organisation_id, created_at) INCLUDE (kind, team_id, channel, first_response_at, resolved_at)"
)
DROP = f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("conversations", "0011_timings_backfill"),
    ]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
