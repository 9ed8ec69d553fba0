"""What every Woo write checks first: the writer's role, an open request, the texts and
dates from outside (``checked_text`` is the conversations' own, re-exported); and the
archive event each write records."""

from __future__ import annotations

import datetime
from typing import overload

from django.utils.translation import gettext_lazy as _

from balie.accounts.models import Role
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations.actions.checks import checked_text
from balie.conversations.actions.errors import ActionError, StateConflict
from balie.records.permissions import require_role
from balie.woo.models import CLOSED_STATUSES, WooRequest

__all__ = [
    "WRITERS",
    "checked_date",
    "checked_text",
    "record",
    "require_open",
    "require_writer",
]

WRITERS = frozenset({Role.WOO_OFFICER})
NOT_ALLOWED = _("Only a Woo coordinator registers and handles Woo requests.")


def require_writer(actor, organisation_id: int) -> None:
    require_role(actor, organisation_id, WRITERS, NOT_ALLOWED)


@overload
def checked_date(value: object, name: str) -> datetime.date: ...
@overload
def checked_date(value: object, name: str, *, required: bool) -> datetime.date | None: ...


def checked_date(value: object, name: str, *, required: bool = True) -> datetime.date | None:
    """A date from outside (a date, or YYYY-MM-DD); None only when not ``required``."""
    if value is None and not required:
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ActionError(
        "invalid_field", _("%(name)s must be a date (YYYY-MM-DD)."), params={"name": name}
    )


def record(request: WooRequest, event_type: str, actor, **payload) -> None:
    record_event(
        organisation_id=request.organisation_id,
        event_type=event_type,
        payload={"request": request.pk, "reference": request.reference, **payload},
        actor=actor_ref(actor),
    )


def require_open(request: WooRequest) -> None:
    if request.status in CLOSED_STATUSES:
        raise StateConflict(
            "request_closed",
            _("Woo request %(reference)s is closed."),
            params={"reference": request.reference},
        )
