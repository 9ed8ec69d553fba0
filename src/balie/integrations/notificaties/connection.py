"""Setting up the organisation's Notificaties API: its address, the ZGW client id and secret
(sealed, never shown back), the name of Balie's kanaal and whether conversation events are
published; and registering that kanaal there (idempotent: an existing kanaal of that name is
taken over when its kenmerken fit, else one is created).

Addresses in Balie's notificaties (the conversation's REST resource) and the callback
address start from ``settings.PUBLIC_URL`` (``BALIE_PUBLIC_URL``).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations.actions.errors import ActionError
from balie.errors import Conflict, NotFound
from balie.integrations.notificaties.access import require_admin
from balie.integrations.notificaties.client import (
    Credentials,
    NotificatiesApi,
    NotificatiesError,
)
from balie.integrations.notificaties.models import DEFAULT_KANAAL, Connection
from balie.tenants.secrets import seal, unseal

__all__ = [
    "FILTERS",
    "KENMERK_SETS",
    "ConnectionConflict",
    "NoConnection",
    "api_client",
    "callback_url",
    "connection_of",
    "do_configure_connection",
    "do_register_kanaal",
    "public_url",
]

# The kenmerken of Balie's notificaties: the kanaal's filters. A conversation's events carry
# the first two, a message's all three (the API takes kenmerken whose names are a subset or
# a superset of the kanaal's filters).
FILTERS = ("kanaal", "status", "richting")
KENMERK_SETS = (frozenset(FILTERS[:2]), frozenset(FILTERS))
KANAAL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}")
LOOPBACK_NAMES = {"localhost"}
DOCUMENTATION_PATH = "schema"


class ConnectionConflict(Conflict):
    default_code = "notificaties_conflict"


class NoConnection(NotFound):
    default_code = "no_connection"
    default_message = _("No Notificaties API is set up for this organisation.")


def public_url(name: str, **kwargs) -> str:
    """The absolute address of one of Balie's API resources (``api:<name>``)."""
    return settings.PUBLIC_URL.rstrip("/") + reverse(f"api:{name}", kwargs=kwargs)


def callback_url(connection: Connection) -> str:
    return public_url("notificaties-callback", token=connection.callback_token)


def connection_of(organisation_id: int) -> Connection:
    found = Connection.objects.for_organisation(organisation_id).first()
    if found is None:
        raise NoConnection()
    return found


def api_client(connection: Connection, actor=None) -> NotificatiesApi:
    """A client with the connection's credentials; a person's calls are in their name."""
    person = Actor.of(actor).user
    who = {}
    if person is not None:
        who = {
            "user_id": f"balie:{person.get_username()}",
            "user_representation": person.get_full_name() or person.get_username(),
        }
    secret = unseal(connection.secret)
    return NotificatiesApi(connection.url, Credentials(connection.client_id, secret, **who))


def do_configure_connection(
    organisation_id: int,
    *,
    actor,
    url: object,
    client_id: object,
    secret: object = None,
    kanaal: object = DEFAULT_KANAAL,
    enabled: object = True,
) -> Connection:
    """Set up (or change) the organisation's Notificaties API. ``secret`` None keeps the
    stored one. A new address or kanaal name has to be registered again; the address
    cannot change while an abonnement there exists."""
    require_admin(actor, organisation_id)
    if not isinstance(enabled, bool):
        raise ActionError(
            "invalid_field", _("%(name)s is true or false."), params={"name": "enabled"},
            field="enabled",
        )  # fmt: skip
    fields = {
        "url": _checked_url(url),
        "client_id": _checked_printable(client_id, "client_id", 255),
        "kanaal": _checked_kanaal(kanaal),
        "enabled": enabled,
        "updated_by": Actor.of(actor).user,
    }
    with transaction.atomic():
        current = Connection.objects.for_organisation(organisation_id).select_for_update().first()
        if secret is not None:
            fields["secret"] = seal(_checked_printable(secret, "secret", 1000))
        elif current is None:
            raise ActionError(
                "invalid_field", _("%(name)s is required."), params={"name": "secret"},
                field="secret",
            )  # fmt: skip
        if current is not None and (current.url, current.kanaal) != (
            fields["url"],
            fields["kanaal"],
        ):
            if current.abonnement_url and current.url != fields["url"]:
                raise ConnectionConflict(
                    "subscribed",
                    _("Remove the abonnement before changing the address."),
                    field="url",
                )
            fields["kanaal_url"] = ""  # to be registered at the new address or name
        if current is None:
            fields["callback_token"] = secrets.token_urlsafe(24)
        connection, _created = Connection.objects.update_or_create(
            organisation_id=organisation_id, defaults=fields
        )
        record_event(
            organisation_id=organisation_id,
            event_type="notificaties.configured",
            payload={
                "url": connection.url,
                "client_id": connection.client_id,
                "kanaal": connection.kanaal,
                "enabled": connection.enabled,
                "secret_changed": secret is not None,  # never the secret itself
            },
            actor=actor_ref(actor),
        )
    return connection


def do_register_kanaal(organisation_id: int, *, actor) -> Connection:
    """Make sure Balie's kanaal exists at the API and store its address: an existing kanaal
    of the name is taken when its filters fit Balie's kenmerken, else it is created."""
    require_admin(actor, organisation_id)
    connection = connection_of(organisation_id)
    with api_client(connection, actor) as api:
        found = api.find_kanaal(connection.kanaal)
        if found is not None:
            _require_fitting_filters(connection.kanaal, found.get("filters"))
        else:
            found = api.create_kanaal(_kanaal_body(connection.kanaal))
    address = found.get("url")
    if not isinstance(address, str) or not address.startswith("http") or len(address) > 1000:
        raise NotificatiesError("notificaties_answer", detail="url", retryable=True)
    with transaction.atomic():
        changed = Connection.objects.filter(
            pk=connection.pk, url=connection.url, kanaal=connection.kanaal
        ).update(kanaal_url=address)
        if not changed:
            raise ConnectionConflict(
                "connection_changed",
                _("The connection changed while registering the kanaal; register it again."),
            )
        record_event(
            organisation_id=organisation_id,
            event_type="notificaties.kanaal_registered",
            payload={"kanaal": connection.kanaal, "kanaal_url": address},
            actor=actor_ref(actor),
        )
    connection.refresh_from_db()
    return connection


def _kanaal_body(naam: str) -> dict:
    body: dict = {"naam": naam, "filters": list(FILTERS)}
    documentation = public_url(DOCUMENTATION_PATH)
    if len(documentation) <= 200:  # the contract's limit
        body["documentatieLink"] = documentation
    return body


def _require_fitting_filters(naam: str, filters: object) -> None:
    """The API refuses kenmerken whose names are neither a subset nor a superset of the
    kanaal's filters: a kanaal of that name made for something else does not fit."""
    names = (
        frozenset(f for f in filters if isinstance(f, str)) if isinstance(filters, list) else None
    )
    if names is not None and all(names <= kept or names >= kept for kept in KENMERK_SETS):
        return
    raise ConnectionConflict(
        "kanaal_filters",
        _(
            "A kanaal called %(name)s exists with other filters (%(filters)s); choose another "
            "name for Balie's kanaal."
        ),
        params={"name": naam, "filters": ", ".join(sorted(names or [])) or "-"},
        field="kanaal",
    )


def _checked_url(value: object) -> str:
    """An https address (http only on this machine, for testing) without credentials,
    query or fragment; kept without its trailing slash."""
    problem = ActionError(
        "invalid_field",
        _("%(name)s must be an https address, like https://notificaties.example.nl/api/v1."),
        params={"name": "url"},
        field="url",
    )
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 500:
        raise problem
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        raise problem from None
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        raise problem
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(host)):
        raise problem
    return text.rstrip("/")


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked_printable(value: object, name: str, limit: int) -> str:
    """A client id or secret: printable ASCII without spaces."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > limit or not all("!" <= ch <= "~" for ch in text):
        raise ActionError(
            "invalid_field",
            _("%(name)s must be printable characters without spaces (at most %(limit)s)."),
            params={"name": name, "limit": limit},
            field=name,
        )
    return text


def _checked_kanaal(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not KANAAL_NAME.fullmatch(text):
        raise ActionError(
            "invalid_field",
            _(
                "%(name)s is at most 50 letters, digits, dots, hyphens and underscores, "
                "starting with a letter or digit."
            ),
            params={"name": "kanaal"},
            field="kanaal",
        )
    return text
