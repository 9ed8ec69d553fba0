"""The audit log is append-only too (see archive.triggers)."""

from django.db import migrations

from balie.archive.triggers import append_only

forward, backward = append_only(
    "archive_auditentry", "audit_entry", "the audit log is append-only"
)


class Migration(migrations.Migration):
    dependencies = [("archive", "0006_audit_log")]

    operations = [migrations.RunPython(forward, backward)]
