"""Logins and two-step login events in the audit log of each organisation the person works
for (``archive.audit``: chained per organisation, shown on the audit page), and in the log.

django-axes keeps its own record of every login and failed login (``user_logged_in`` and
``user_login_failed``); a refused login through an organisation's provider is reported to it
too, under the name ``sso:<organisation>``. Tokens, codes and claims are never written down:
only ids, the method and a stable code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.signals import user_login_failed

from balie.accounts.models import Membership, User
from balie.archive import audit

__all__ = ["record_login", "record_refusal", "record_two_factor"]

log = logging.getLogger("balie.security")

LOGIN = "staff.login"
REFUSED = "staff.login_refused"
TWO_FACTOR = "staff.two_factor"
ACTIONS = (LOGIN, REFUSED, TWO_FACTOR)


def _organisations(user: User) -> list[int]:
    return sorted(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))


def _record(
    actor: User | None, organisation_ids: Iterable[int], action: str, detail: dict[str, Any]
) -> None:
    user_id = actor.pk if actor is not None else None
    log.info(action, extra={"user_id": user_id, **detail})
    for organisation_id in organisation_ids:
        audit.record_read(
            actor,
            organisation_id=organisation_id,
            action=action,
            object_type="user",
            object_id=user_id,
            detail=detail,
        )


def record_login(user: User, *, method: str, organisation_id: int | None = None) -> None:
    """``user`` logged in with ``method`` (``password``, or ``sso`` through the provider of
    ``organisation_id``)."""
    detail: dict[str, Any] = {"method": method}
    if organisation_id is not None:
        detail["through"] = organisation_id
    _record(user, _organisations(user), LOGIN, detail)


def record_refusal(request, organisation_id: int | None, code: str) -> None:
    """A login through an organisation's provider was refused with ``code``."""
    _record(None, [organisation_id] if organisation_id else [], REFUSED, {"code": code})
    user_login_failed.send(
        sender=__name__, credentials={"username": f"sso:{organisation_id or '-'}"}, request=request
    )


def record_two_factor(user: User, event: str, **detail: Any) -> None:
    """A two-step login ``event``: ``verified``, ``failed``, ``enrolled``, ``new_codes``."""
    _record(user, _organisations(user), TWO_FACTOR, {"event": event, **detail})
