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
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from balie.conversations.actions.errors import ActionError
from balie.errors import Invalid

__all__ = ["AddressRefused", "Target", "check_url", "resolve"]

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"https": 443, "http": 80}
MAX_URL = 500


class AddressRefused(Invalid):
    """The receiver's host resolves to an address Balie does not send to."""

    default_code = "address_refused"
    default_message = _(
        "This address points into a private or internal network (%(address)s). Balie sends "
        "webhooks only to public addresses, unless the installation allows that network."
    )


@dataclass(frozen=True)
class Target:
    """A checked receiver: the host as written, its port, and the one address to connect to."""

    scheme: str
    host: str
    port: int
    address: str


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
    resolves to checked. :class:`AddressRefused` when one is not allowed; ``OSError``
    (``socket.gaierror``) when the name does not resolve."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 443)
    addresses = _addresses(host, port)
    for address in addresses:
        if not allowed(address):
            raise AddressRefused(params={"address": str(address)}, field="url")
    return Target(scheme=parts.scheme, host=host, port=port, address=str(addresses[0]))


def allowed(address: IPAddress) -> bool:
    """Public, or inside a network the installation allows."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed_networks()):
        return True
    return address.is_global and not address.is_multicast


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The installation's allowed networks; one that is no network is left out (refusing
    more, never less) and logged."""
    configured = getattr(settings, "WEBHOOKS_ALLOWED_NETWORKS", ()) or ()
    if isinstance(configured, str):
        configured = configured.split(",")
    networks = []
    for entry in configured:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            logger.warning("WEBHOOKS_ALLOWED_NETWORKS holds no network", extra={"entry": entry})
    return networks


def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    found: list[IPAddress] = []
    for *_rest, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise socket.gaierror(host)
    return found
