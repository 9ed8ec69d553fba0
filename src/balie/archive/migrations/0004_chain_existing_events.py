"""Put events recorded before the chain existed on it, in the order they were written."""

from django.db import migrations

GENESIS = "0" * 64


def chain_existing(apps, schema_editor):
    from balie.archive import chain

    ArchiveEvent = apps.get_model("archive", "ArchiveEvent")
    ChainHead = apps.get_model("archive", "ChainHead")
    heads: dict[int, tuple[int, str]] = {}
    for event in ArchiveEvent.objects.order_by("id").iterator(chunk_size=2000):
        seq, previous = heads.get(event.organisation_id, (0, GENESIS))
        event.seq = seq + 1
        event.payload_hash = chain.payload_hash(event.payload)
        event.previous_hash = previous
        event.event_hash = chain.event_hash(
            organisation_id=event.organisation_id,
            seq=event.seq,
            event_type=event.event_type,
            conversation_id=event.conversation_id,
            actor_id=event.actor_id,
            api_key_id=event.api_key_id,
            actor_kind=event.actor_kind,
            created_at=event.created_at,
            payload_hash=event.payload_hash,
            previous_hash=event.previous_hash,
        )
        event.save(update_fields=["seq", "payload_hash", "previous_hash", "event_hash"])
        heads[event.organisation_id] = (event.seq, event.event_hash)
    for organisation_id, (seq, last_hash) in heads.items():
        ChainHead.objects.create(
            organisation_id=organisation_id, last_seq=seq, last_hash=last_hash
        )


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_chain")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
