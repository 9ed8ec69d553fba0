"""Writes to organisations (tenants)."""

from __future__ import annotations

from django.db import transaction

from balie.archive.actions import record_event
from balie.archive.actors import ActorRef
from balie.archive.record_classes import do_seed_record_classes
from balie.tenants.models import Organisation


def do_create_organisation(
    *, name: str, slug: str, gemeentecode: str = "", oin: str = ""
) -> Organisation:
    organisation = Organisation(name=name, slug=slug, gemeentecode=gemeentecode, oin=oin)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        do_seed_record_classes(organisation.pk)
        record_event(
            organisation_id=organisation.pk,
            event_type="organisation.created",
            payload={"name": name, "slug": slug, "gemeentecode": gemeentecode, "oin": oin},
            actor=ActorRef("system"),
        )
    return organisation
