"""A mailbox account's settings: which fields there are, their checks, their defaults.

Stored as given (strings) in ``ChannelAccount.settings``; :func:`mail_settings` reads them
with defaults filled in. Plain connections (security "none") are allowed only to a
loopback address (a relay on the same machine): anything else would send the password and
residents' mail unencrypted.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from balie.connectors.email.headers import normalise_address
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import Field
from balie.errors import Invalid

__all__ = ["SECRETS", "SETTINGS", "MailSettings", "Server", "clean", "mail_settings"]

SECURITY = ("ssl", "starttls", "none")
DEFAULT_PORTS = {
    "imap": {"ssl": 993, "starttls": 143, "none": 143},
    "smtp": {"ssl": 465, "starttls": 587, "none": 25},
}
DEFAULT_SECURITY = {"imap": "ssl", "smtp": "starttls"}

SETTINGS = (
    Field("address", "The mailbox's address: From of every mail sent, where residents write."),
    Field("smtp_host", "The SMTP server that sends Balie's answers."),
    Field("smtp_port", "Its port (default 465 with ssl, 587 with starttls).", required=False),
    Field("smtp_security", "ssl, starttls (default) or none (loopback only).", required=False),
    Field(
        "imap_host",
        "The IMAP server to read the mailbox from; empty: mail comes in by webhook.",
        required=False,
    ),  # fmt: skip
    Field("imap_port", "Its port (default 993 with ssl, 143 with starttls).", required=False),
    Field("imap_security", "ssl (default), starttls or none (loopback only).", required=False),
    Field("imap_folder", "The folder to read (default INBOX).", required=False),
    Field("username", "Login for IMAP and SMTP (default: the address).", required=False),
    Field(
        "from_name",
        "The name shown with the address (default: the organisation's).",
        required=False,
    ),  # fmt: skip
)
SECRETS = (
    Field("password", "Password for IMAP and SMTP (none: no login).", required=False),
    Field(
        "webhook_secret",
        "Key of the HMAC-SHA256 signature over mail posted to the "
        "webhook (none: the webhook is off).",
        required=False,
    ),  # fmt: skip
)
_HOST = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$"
)
# Printable ASCII without quote and backslash (a non-ASCII name would need modified UTF-7).
_FOLDER = re.compile(r"^[\x20\x21\x23-\x5b\x5d-\x7e]{1,200}$")


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str


@dataclass(frozen=True)
class MailSettings:
    address: str
    username: str
    from_name: str
    smtp: Server
    imap: Server | None
    imap_folder: str

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[1]


def _invalid(name: str, message) -> Invalid:
    return Invalid("invalid_field", message, field=name, params={"name": name})


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _server(values: dict[str, str], kind: str) -> None:
    """Check one server's settings; the defaults are not stored (see :func:`mail_settings`),
    so that changing the security later also changes the default port."""
    host = values.get(f"{kind}_host", "")
    if not _HOST.match(host):
        raise _invalid(f"{kind}_host", _("%(name)s is not a host name or address."))
    security = values.get(f"{kind}_security", "").lower()
    if security and security not in SECURITY:
        raise _invalid(f"{kind}_security", _("%(name)s is ssl, starttls or none."))
    if security == "none" and not is_loopback(host):
        raise _invalid(
            f"{kind}_security", _("%(name)s none is allowed only for a server on this machine.")
        )
    if security:
        values[f"{kind}_security"] = security
    port = values.get(f"{kind}_port", "")
    if port and (not port.isdigit() or not 0 < int(port) < 65536):
        raise _invalid(f"{kind}_port", _("%(name)s is a port number (1-65535)."))


def _read_server(values: dict[str, str], kind: str) -> Server:
    security = values.get(f"{kind}_security") or DEFAULT_SECURITY[kind]
    port = values.get(f"{kind}_port") or DEFAULT_PORTS[kind][security]
    return Server(values[f"{kind}_host"], int(port), security)


def clean(settings: dict[str, str]) -> dict[str, str]:
    """The settings as stored, defaults filled in; :class:`Invalid` naming a bad one."""
    values = {key: value.strip() for key, value in settings.items()}
    try:
        values["address"] = normalise_address(values.get("address", ""))
    except ValueError:
        raise _invalid("address", _("%(name)s is not an e-mail address.")) from None
    _server(values, "smtp")
    if values.get("imap_host"):
        _server(values, "imap")
        if values.get("imap_folder") and not _FOLDER.match(values["imap_folder"]):
            raise _invalid("imap_folder", _("%(name)s is not a folder name."))
    else:
        for name in ("imap_port", "imap_security", "imap_folder"):
            values.pop(name, None)
    return values


def mail_settings(account: ChannelAccount) -> MailSettings:
    values = account.settings
    return MailSettings(
        address=values["address"],
        username=values.get("username") or values["address"],
        from_name=values.get("from_name") or account.organisation.name,
        smtp=_read_server(values, "smtp"),
        imap=_read_server(values, "imap") if values.get("imap_host") else None,
        imap_folder=values.get("imap_folder") or "INBOX",
    )
