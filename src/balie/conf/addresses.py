"""Where Balie may send a request whose address someone outside chose: the guard against
server-side request forgery.

A resident's browser hands Balie a Web Push endpoint; an administrator chooses a webhook
receiver. Without a guard, such an address could be a service inside the installation's own
network (a database, a cloud provider's metadata service at 169.254.169.254, an admin page on
localhost), reached from the server with its privileges. So an address:

- resolves only to public addresses: every address its host resolves to must be globally
  routable. Private (RFC 1918, fc00::/7), loopback, link-local, shared (100.64.0.0/10),
  multicast, reserved and unspecified addresses are refused, unless they lie in one of the
  ``networks`` the caller allows (an installation setting: no organisation can change it);
- is connected to at exactly the address that was checked (:class:`PinnedAdapter`), so a
  name that resolves elsewhere a moment later (DNS rebinding) is not followed.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter

from balie.errors import Invalid

__all__ = ["AddressRefused", "PinnedAdapter", "Target", "allowed", "networks", "resolve"]

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_PORTS = {"https": 443, "http": 80}


class AddressRefused(Invalid):
    """The host resolves to an address Balie does not send to."""

    default_code = "address_refused"
    default_message = _(
        "This address points into a private or internal network (%(address)s). Balie sends "
        "only to public addresses, unless the installation allows that network."
    )


@dataclass(frozen=True)
class Target:
    """A checked address: the host as written, its port, and the one address to connect to."""

    scheme: str
    host: str
    port: int
    address: str


def networks(configured: object) -> list[Network]:
    """The allowed networks of a setting (a list, or a comma-separated text); an entry that
    is no network is left out (refusing more, never less) and logged."""
    entries: Iterable[object] = (
        configured.split(",") if isinstance(configured, str) else (configured or ())  # type: ignore[assignment]
    )
    found = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            logger.warning("an allowed network setting holds no network", extra={"entry": entry})
    return found


def allowed(address: IPAddress, allowed_networks: Iterable[Network] = ()) -> bool:
    """Public, or inside one of ``allowed_networks``."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed_networks):
        return True
    return address.is_global and not address.is_multicast


def resolve(
    url: str, allowed_networks: Iterable[Network] = (), *, field: str | None = None
) -> Target:
    """The address to connect to for ``url``: its host resolved now, every address it
    resolves to checked. :class:`AddressRefused` (naming ``field``) when one is not allowed;
    ``OSError`` (``socket.gaierror``) when the name does not resolve."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 443)
    addresses = _addresses(host, port)
    allowed_networks = list(allowed_networks)
    for address in addresses:
        if not allowed(address, allowed_networks):
            raise AddressRefused(params={"address": str(address)}, field=field)
    return Target(scheme=parts.scheme, host=host, port=port, address=str(addresses[0]))


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


class PinnedAdapter(HTTPAdapter):
    """Connects to ``address`` whatever the URL's host resolves to by then; TLS still checks
    the certificate against the host name in the URL."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            name = host_params["host"]
            pool_kwargs = {**pool_kwargs, "server_hostname": name, "assert_hostname": name}
        return self.poolmanager.connection_from_host(
            host=self.address,
            port=host_params["port"],
            scheme=host_params["scheme"],
            pool_kwargs=pool_kwargs,
        )
