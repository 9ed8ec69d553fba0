"""Setting up an organisation's Klantinteracties API: its address, the API token (sealed at
rest by ``balie.tenants.secrets``, never shown back or archived), on or off, the kanaal
name per channel, whether klantcontacten are vertrouwelijk, and whether an identified
resident's name and addresses are sent. Only the organisation's administrator does this.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import Role
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations.actions.errors import ActionError
from balie.conversations.models import Channel
from balie.integrations.klantinteracties.content import KANAAL_LIMIT
from balie.integrations.klantinteracties.models import Connection
from balie.records.permissions import require_role
from balie.tenants.secrets import seal

__all__ = ["CONFIGURERS", "READERS", "do_configure_connection"]

CONFIGURERS = frozenset({Role.ADMIN})
READERS = frozenset({Role.ADMIN, Role.AUDITOR})
NOT_ALLOWED = _("Only an administrator sets up the Klantinteracties API.")
LOOPBACK_NAMES = {"localhost"}


def do_configure_connection(
    organisation_id: int,
    *,
    actor,
    url: object,
    token: object = None,
    enabled: object = True,
    kanalen: object = None,
    confidential: object = True,
    send_contact_details: object = True,
) -> Connection:
    """Set up (or change) the organisation's connection. ``token`` None keeps the stored
    one; ``kanalen`` None or empty uses the default kanaal names."""
    require_role(actor, organisation_id, CONFIGURERS, NOT_ALLOWED)
    fields: dict[str, Any] = {
        "url": _checked_url(url),
        "enabled": _checked_bool(enabled, "enabled"),
        "kanalen": _checked_kanalen(kanalen),
        "confidential": _checked_bool(confidential, "confidential"),
        "send_contact_details": _checked_bool(send_contact_details, "send_contact_details"),
        "updated_by": Actor.of(actor).user,
    }
    if token is not None:
        fields["token"] = seal(_checked_token(token))
    elif not Connection.objects.for_organisation(organisation_id).exists():
        raise ActionError(
            "invalid_field", _("%(name)s is required."), params={"name": "token"}, field="token"
        )
    with transaction.atomic():
        connection, _created = Connection.objects.update_or_create(
            organisation_id=organisation_id, defaults=fields
        )
        record_event(
            organisation_id=organisation_id,
            event_type="klantinteracties.configured",
            payload={
                "url": connection.url,
                "enabled": connection.enabled,
                "kanalen": connection.kanalen,
                "confidential": connection.confidential,
                "send_contact_details": connection.send_contact_details,
                "token_changed": token is not None,  # never the token itself
            },
            actor=actor_ref(actor),
        )
    return connection


def _checked_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ActionError(
            "invalid_field", _("%(name)s is true or false."), params={"name": name}, field=name
        )
    return value


def _checked_url(value: object) -> str:
    """An https address (http only on this machine, for testing) without credentials,
    query or fragment; kept without its trailing slash."""
    problem = ActionError(
        "invalid_field",
        _(
            "%(name)s must be an https address, like https://openklant.example.nl/klantinteracties/api/v1."
        ),
        params={"name": "url"},
        field="url",
    )
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 500:
        raise problem
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        raise problem from None
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        raise problem
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(host)):
        raise problem
    return value.strip().rstrip("/")


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked_token(value: object) -> str:
    """A token goes into a header: printable ASCII without spaces."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 1000 or not all("!" <= ch <= "~" for ch in text):
        raise ActionError(
            "invalid_field",
            _("%(name)s must be printable characters without spaces."),
            params={"name": "token"},
            field="token",
        )
    return text


def _checked_kanalen(value: object) -> dict[str, str]:
    """{channel: kanaal name}; an empty name falls back to the default."""
    if value is None:
        return {}
    problem = ActionError(
        "invalid_field",
        _("kanalen names a kanaal (at most %(limit)s characters) per channel: %(channels)s."),
        params={"limit": KANAAL_LIMIT, "channels": ", ".join(Channel.values)},
        field="kanalen",
    )
    if not isinstance(value, dict):
        raise problem
    checked = {}
    for channel, name in value.items():
        if channel not in Channel.values or not isinstance(name, str):
            raise problem
        name = " ".join(name.split())
        if len(name) > KANAAL_LIMIT:
            raise problem
        if name:
            checked[channel] = name
    return checked
