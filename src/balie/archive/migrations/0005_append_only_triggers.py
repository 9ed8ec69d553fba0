"""The database itself refuses UPDATE and DELETE on archive events (see archive.triggers)."""

from django.db import migrations

from balie.archive.triggers import append_only

forward, backward = append_only(
    "archive_archiveevent", "archive_event", "archive events are append-only"
)


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_chain_existing_events")]

    operations = [migrations.RunPython(forward, backward)]
