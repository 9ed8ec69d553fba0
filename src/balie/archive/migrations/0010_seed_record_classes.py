"""Existing organisations get the default record classes; existing conversations get theirs,
and closed ones a closing date (their last message, the best date known)."""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce

# The defaults as of this migration (balie.archive.record_classes.DEFAULT_RECORD_CLASSES may
# change later; a migration must not).
DEFAULTS = [
    ("KCC-VRAAG", "Algemene vragen en informatie", "P1Y", "vernietigen", True),
    ("KCC-MELDING", "Meldingen openbare ruimte", "P2Y", "vernietigen", False),
    ("KCC-AANVRAAG", "Contact over aanvragen en vergunningen", "P10Y", "vernietigen", False),
    ("KCC-KLACHT", "Klachten en bezwaren", "P5Y", "vernietigen", False),
    ("BESTUUR", "Bestuurlijke aangelegenheden", "P20Y", "bewaren", False),
]


def forwards(apps, schema_editor):
    Organisation = apps.get_model("tenants", "Organisation")
    RecordClass = apps.get_model("archive", "RecordClass")
    Conversation = apps.get_model("conversations", "Conversation")
    for organisation in Organisation.objects.all():
        if RecordClass.objects.filter(organisation=organisation).exists():
            continue
        classes = [
            RecordClass(
                organisation=organisation, code=code, name=name, retention=retention,
                trigger="closed", waardering=waardering, is_default=default,
            )  # fmt: skip
            for code, name, retention, waardering, default in DEFAULTS
        ]
        RecordClass.objects.bulk_create(classes)
        default = RecordClass.objects.get(organisation=organisation, is_default=True)
        Conversation.objects.filter(organisation=organisation, record_class__isnull=True).update(
            record_class=default
        )
    Conversation.objects.filter(status="closed", closed_at__isnull=True).update(
        closed_at=Coalesce(F("last_message_at"), F("created_at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0009_retention_holds_destruction"),
        ("conversations", "0004_retention"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
