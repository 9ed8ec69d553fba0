"""Subscribing to notificaties of other systems: an abonnement at the organisation's
Notificaties API on the kanalen the administrator names (``zaken``, ``klantinteracties`` …,
with optional filters), delivered to Balie's callback address for the organisation with an
``Authorization`` value only Balie and the API know.

Open Notificaties tries the callback while it creates the abonnement (a test notificatie,
with and without the value): so the new value is committed *before* the call, and the
actions here must not run inside another transaction. An abonnement an interrupted attempt
left at the API (it points to our callback address, which names only this organisation) is
removed before a new one is made, so a retry never leaves two.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations.actions.checks import check_text
from balie.conversations.actions.errors import ActionError
from balie.integrations.notificaties.access import require_admin
from balie.integrations.notificaties.client import NotificatiesError
from balie.integrations.notificaties.connection import (
    ConnectionConflict,
    api_client,
    callback_url,
    connection_of,
)
from balie.integrations.notificaties.models import Connection
from balie.tenants.secrets import seal

__all__ = ["checked_kanalen", "do_subscribe", "do_unsubscribe", "kanalen_from_text"]

MAX_KANALEN = 20
MAX_FILTERS = 20
CALLBACK_LIMIT = 200  # the contract's maxLength of callbackUrl


def do_subscribe(organisation_id: int, *, actor, kanalen: object) -> Connection:
    """Take an abonnement on ``kanalen`` ([{"naam", "filters"}] or names) for the
    organisation's callback."""
    require_admin(actor, organisation_id)
    groups = checked_kanalen(kanalen)
    connection = connection_of(organisation_id)
    if connection.abonnement_url:
        raise ConnectionConflict(
            "already_subscribed", _("There is an abonnement already: remove it first.")
        )
    callback = callback_url(connection)
    if len(callback) > CALLBACK_LIMIT:
        raise ConnectionConflict(
            "callback_too_long",
            _("Balie's public address is too long for a callback (at most 200 characters)."),
        )
    auth = f"Bearer {secrets.token_urlsafe(32)}"
    with transaction.atomic():  # committed before the API tries the callback
        Connection.objects.filter(pk=connection.pk).update(
            callback_auth=seal(auth), abonnement_kanalen=groups
        )
    with api_client(connection, actor) as api:
        _remove_ours(api, callback)
        created = api.create_abonnement({"callbackUrl": callback, "auth": auth, "kanalen": groups})
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(abonnement_url=created["url"][:1000])
        record_event(
            organisation_id=organisation_id,
            event_type="notificaties.subscribed",
            payload={"abonnement_url": created["url"][:1000], "kanalen": groups},
            actor=actor_ref(actor),
        )
    connection.refresh_from_db()
    return connection


def do_unsubscribe(organisation_id: int, *, actor, forget: bool = False) -> Connection:
    """Remove the organisation's abonnement at the API; from then on the callback refuses
    every delivery. ``forget``: when the API cannot be reached, forget it here anyway."""
    require_admin(actor, organisation_id)
    connection = connection_of(organisation_id)
    if not connection.abonnement_url and not connection.callback_auth:
        raise ConnectionConflict("not_subscribed", _("There is no abonnement to remove."))
    try:
        with api_client(connection, actor) as api:
            if connection.abonnement_url:
                api.delete_abonnement(connection.abonnement_url)
            _remove_ours(api, callback_url(connection))
    except NotificatiesError as error:
        if not (forget and error.retryable):
            raise
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(
            abonnement_url="", callback_auth="", abonnement_kanalen=[]
        )
        record_event(
            organisation_id=organisation_id,
            event_type="notificaties.unsubscribed",
            payload={"abonnement_url": connection.abonnement_url, "forgotten": forget},
            actor=actor_ref(actor),
        )
    connection.refresh_from_db()
    return connection


def _remove_ours(api, callback: str) -> None:
    for abonnement in api.abonnementen():
        address = abonnement.get("url")
        if abonnement.get("callbackUrl") == callback and isinstance(address, str):
            api.delete_abonnement(address)


def checked_kanalen(value: object) -> list[dict]:
    """[{"naam": …, "filters": {name: value}}]: 1 to 20 kanalen, each named once; a plain
    name stands for a kanaal without filters."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_KANALEN:
        raise ActionError(
            "invalid_field",
            _("%(name)s is a list of 1 to %(limit)s kanalen."),
            params={"name": "kanalen", "limit": MAX_KANALEN},
            field="kanalen",
        )
    groups: list[dict] = []
    for index, item in enumerate(value):
        group = _group(item if isinstance(item, dict) else {"naam": item}, f"kanalen.{index}")
        if any(g["naam"] == group["naam"] for g in groups):
            raise ActionError(
                "duplicate_kanaal", _("Each kanaal only once."), field=f"kanalen.{index}.naam"
            )
        groups.append(group)
    return groups


def _group(item: dict, name: str) -> dict:
    if set(item) - {"naam", "filters"}:
        raise ActionError("invalid_field", _("A kanaal has a naam and filters only."), field=name)
    naam = _text(item.get("naam"), f"{name}.naam", 50)
    filters = item.get("filters") or {}
    if not isinstance(filters, dict) or len(filters) > MAX_FILTERS:
        raise ActionError(
            "invalid_field",
            _("%(name)s maps at most %(limit)s kenmerken to a value."),
            params={"name": f"{name}.filters", "limit": MAX_FILTERS},
            field=f"{name}.filters",
        )
    return {
        "naam": naam,
        "filters": {
            _text(key, f"{name}.filters", 100): _text(text, f"{name}.filters.{key}", 1000)
            for key, text in filters.items()
        },
    }


def _text(value: object, name: str, limit: int) -> str:
    """A name or value: a text of 1 to ``limit`` characters that the database can store."""
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ActionError(
            "invalid_field",
            _("%(name)s is a text of 1 to %(limit)s characters."),
            params={"name": name, "limit": limit},
            field=name,
        )
    check_text(value, name)
    return value.strip()


def kanalen_from_text(text: str) -> list[dict]:
    """The console's way of writing kanalen: one per line, its name, then ``kenmerk=value``
    pairs separated by spaces (``zaken bronorganisatie=002220647``)."""
    groups = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        pairs = [word.partition("=") for word in words[1:]]
        if any(not sep or not key for key, sep, _value in pairs):
            raise ActionError(
                "invalid_field",
                _("Write filters as kenmerk=value, after the kanaal's name."),
                field="kanalen",
            )
        groups.append({"naam": words[0], "filters": {key: val for key, _sep, val in pairs}})
    return groups
