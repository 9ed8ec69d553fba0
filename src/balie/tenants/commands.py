"""A base for the ``balie`` commands whose subcommands act on one organisation.

``balie sso set utrecht …``, ``balie resident-login show utrecht``: the subcommand is
``action``, the organisation's slug ``organisation``. The command finds the organisation
(an unknown slug is a clear error) and runs its ``_<action>(organisation, **options)``; an
action's refusal (:class:`~balie.errors.BalieError`) is answered as a ``CommandError`` with
its stable code.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from balie.errors import BalieError
from balie.tenants.models import Organisation

__all__ = ["OrganisationCommand"]


class OrganisationCommand(BaseCommand):
    def handle(self, *args, action, organisation, **options):
        try:
            found = Organisation.objects.get(slug=organisation)
        except Organisation.DoesNotExist:
            raise CommandError(f"no organisation {organisation!r}") from None
        try:
            getattr(self, f"_{action}")(found, **options)
        except BalieError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
