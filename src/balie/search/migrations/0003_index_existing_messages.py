"""Index the messages written before search existed (``balie search-reindex`` does the same)."""

from django.db import migrations

BATCH = 2000
INDEXED = ("inbound", "outbound", "note")


def index_existing(apps, schema_editor):
    from balie.search.backends import postgres, sqlite

    backend = postgres if schema_editor.connection.vendor == "postgresql" else sqlite
    Message = apps.get_model("conversations", "Message")
    rows = (
        Message.objects.filter(direction__in=INDEXED, deleted_at__isnull=True)
        .exclude(body="")
        .order_by("pk")
        .values_list("pk", "body")
    )
    batch = []
    with schema_editor.connection.cursor() as cursor:
        for row in rows.iterator(chunk_size=BATCH):
            batch.append(row)
            if len(batch) == BATCH:
                backend.write(cursor, batch)
                batch = []
        backend.write(cursor, batch)


def remove_all(apps, schema_editor):
    schema_editor.execute("DELETE FROM search_entry")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_index")]

    operations = [migrations.RunPython(index_existing, remove_all)]
