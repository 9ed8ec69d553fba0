"""Where a webhook may point: guarding against server-side request forgery.

An administrator of one organisation chooses the address Balie POSTs to. Without a guard,
that address could be a service inside the installation's own network (a database, a
cloud provider's metadata service at 169.254.169.254, an admin page on localhost), reached
from the server with its privileges. So a receiver's address:

- is ``https``; ``http`` only for a loopback host (which is itself refused unless allowed,
  see below), as a test receiver on the same machine;
- carries no user name or password, and no fragment;
- resolves only to public addresses: every address its host resolves to must be globally
  routable. Private (RFC 1918, fc00::/7), loopback, link-local, shared (100.64.0.0/10),
  multicast, reserved and unspecified addresses are refused, unless the installation allows
  a network with the setting ``WEBHOOKS_ALLOWED_NETWORKS`` (a list of CIDR networks, such
  as ``["10.20.0.0/16"]`` for receivers in the municipality's own network, or
  ``["127.0.0.0/8"]`` for a receiver on the same machine). No organisation can change it.

The address is checked when the subscription is saved and again at every attempt, and the
connection then goes to exactly the address that was checked (:func:`resolve`), so a name
that resolves elsewhere a moment later (DNS rebinding) is not followed. Redirects are never
followed either.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from balie.conf import addresses
from balie.conf.addresses import AddressRefused, Target
from balie.conversations.actions.errors import ActionError

__all__ = ["AddressRefused", "Target", "allowed", "check_url", "resolve"]

DEFAULT_PORTS = addresses.DEFAULT_PORTS
MAX_URL = 500


def check_url(value: object) -> str:
    """The receiver's address as given, stripped, if its form is allowed and its host resolves
    to allowed addresses only (:class:`AddressRefused` otherwise)."""
    problem = ActionError(
        "invalid_field",
        _("%(name)s must be an https address, like https://ontvanger.example.nl/balie."),
        params={"name": "url"},
        field="url",
    )
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_URL:
        raise problem
    url = value.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        raise problem from None
    if not host or parts.username or parts.password or parts.fragment:
        raise problem
    if parts.scheme not in DEFAULT_PORTS or any(ch.isspace() for ch in url):
        raise problem
    try:
        target = resolve(url)
    except (OSError, UnicodeError):
        raise ActionError(
            "invalid_field",
            _("The host of %(name)s could not be found."),
            params={"name": "url"},
            field="url",
        ) from None
    if target.scheme == "http" and not ipaddress.ip_address(target.address).is_loopback:
        raise problem
    return url


def resolve(url: str) -> Target:
    """The address to connect to for ``url``: its host resolved now, every address it
    resolves to checked (:mod:`balie.conf.addresses`). :class:`AddressRefused` when one is
    not allowed; ``OSError`` (``socket.gaierror``) when the name does not resolve."""
    return addresses.resolve(url, allowed_networks(), field="url")


def allowed(address: addresses.IPAddress) -> bool:
    """Public, or inside a network the installation allows."""
    return addresses.allowed(address, allowed_networks())


def allowed_networks() -> list[addresses.Network]:
    """The installation's allowed networks (``WEBHOOKS_ALLOWED_NETWORKS``)."""
    return addresses.networks(getattr(settings, "WEBHOOKS_ALLOWED_NETWORKS", ()))
