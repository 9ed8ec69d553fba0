"""Writes to organisations (tenants)."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from balie.tenants.models import Organisation

#: Sent inside the creating transaction with ``organisation``. The layers above connect in
#: their ``AppConfig.ready``: the archive starts the organisation's chain, records management
#: gives it the default record classes. A receiver that raises undoes the creation.
organisation_created = Signal()


def do_create_organisation(
    *, name: str, slug: str, gemeentecode: str = "", oin: str = ""
) -> Organisation:
    organisation = Organisation(name=name, slug=slug, gemeentecode=gemeentecode, oin=oin)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        organisation_created.send(sender=Organisation, organisation=organisation)
    return organisation


def do_set_identifiers(
    organisation: Organisation, *, gemeentecode: str | None = None, oin: str | None = None
) -> Organisation:
    """Set the gemeentecode (its TOOI identifier, for DiWoo and MDTO) or the OIN of an
    existing organisation; a value left None stays as it is, "" clears it."""
    if gemeentecode is not None:
        organisation.gemeentecode = gemeentecode.strip()
    if oin is not None:
        organisation.oin = oin.strip()
    organisation.full_clean()
    organisation.save(update_fields=["gemeentecode", "oin"])
    return organisation
