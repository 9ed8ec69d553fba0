"""A WhatsApp channel account's settings and secrets, and checking them when they are set.

Settings (shown to administrators): ``phone_number_id`` (the Cloud API's id of the number,
not the number itself), ``business_account_id`` (the WhatsApp Business Account, optional),
``graph_url`` (the Graph API's base URL with its version, optional: default
:data:`~.graph.DEFAULT_GRAPH_URL`). Secrets (sealed, never shown): ``access_token`` (a
system user's token with ``whatsapp_business_messaging``), ``app_secret`` (signs the
webhooks), ``verify_token`` (chosen by the organisation, asked back once by Meta when the
webhook is set up).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.utils.translation import gettext_lazy as _

from balie.connectors.accounts import secret_of
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import Field
from balie.connectors.whatsapp.graph import DEFAULT_GRAPH_URL, Graph
from balie.errors import Invalid

__all__ = ["SECRETS", "SETTINGS", "clean_settings", "graph_for", "phone_number_id"]

SETTINGS = (
    Field("phone_number_id", "The phone number's id in the WhatsApp Cloud API (digits)."),
    Field(
        "business_account_id",
        "The WhatsApp Business Account's id (digits): Meta's template reviews for it count.",
        required=False,
    ),
    Field(
        "graph_url",
        f"The Graph API's base URL with its version (default {DEFAULT_GRAPH_URL}).",
        required=False,
    ),
)
SECRETS = (
    Field("access_token", "A system user's access token with whatsapp_business_messaging."),
    Field("app_secret", "The Meta app's secret, with which Meta signs the webhooks."),
    Field("verify_token", "A token you choose; Meta sends it back when the webhook is set up."),
)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def clean_settings(values: dict[str, str]) -> dict[str, str]:
    clean = dict(values)
    for name in ("phone_number_id", "business_account_id"):
        value = clean.get(name)
        if value is not None and (not value.isdigit() or len(value) > 32):
            raise Invalid(
                "invalid_field", _("%(name)s is a number."), field=name, params={"name": name}
            )
    if clean.get("graph_url"):
        clean["graph_url"] = _graph_url(clean["graph_url"])
    return clean


def _graph_url(value: str) -> str:
    """https with a host and a path (the version), nothing else; plain http only to this
    machine in a demo or debug set-up (the fakes of the demo and the tests)."""
    try:
        parts = urlsplit(value.strip())
        hostname = parts.hostname
    except ValueError:
        hostname = None
    local = bool(django_settings.DEMO or django_settings.DEBUG)
    if (
        hostname is None
        or parts.username
        or parts.password
        or parts.query
        or parts.fragment
        or not parts.path.strip("/")
        or not (
            parts.scheme == "https" or (parts.scheme == "http" and local and hostname in LOOPBACK)
        )
    ):
        raise Invalid(
            "invalid_field",
            _("graph_url is an https address with the API version, such as %(example)s."),
            field="graph_url",
            params={"example": DEFAULT_GRAPH_URL},
        )
    return value.strip().rstrip("/")


def phone_number_id(account: ChannelAccount) -> str:
    return str(account.settings.get("phone_number_id", ""))


def graph_for(account: ChannelAccount) -> Graph:
    return Graph(
        account.settings.get("graph_url") or DEFAULT_GRAPH_URL, secret_of(account, "access_token")
    )
