"""Adding and removing a resident's push subscriptions: every check of what the browser
sent, and the two writes.

What a browser sends is ``PushSubscription.toJSON()``: ``{"endpoint": "https://…",
"keys": {"p256dh": "…", "auth": "…"}}`` (``expirationTime`` may come along and is ignored).
Each part is checked and refused with its own code: the endpoint is an https address of at
most ``MAX_ENDPOINT`` characters, without user name or fragment, whose host resolves to
public addresses only (:mod:`balie.conf.addresses`; http only for a loopback host in a
network the installation allows, a test's push service); ``p256dh`` is a P-256 point in
uncompressed form (65 bytes) and ``auth`` 16 bytes, both base64url. A device token holds at
most ``MAX_PER_CONVERSATION`` subscriptions.

Subscriptions are a device's consent, not part of the conversation's record: the archive
records no event for them.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.conf import addresses
from balie.connectors.webpush.models import MAX_ENDPOINT, PushSubscription
from balie.conversations.models import Conversation
from balie.errors import Conflict, Invalid, NotFound

__all__ = [
    "MAX_PER_CONVERSATION",
    "PushSubscriptionRefused",
    "SubscriptionInfo",
    "check_endpoint",
    "check_subscription",
    "do_subscribe",
    "do_unsubscribe",
]

MAX_PER_CONVERSATION = 5
P256DH_BYTES = 65  # 0x04, x, y
AUTH_BYTES = 16


class PushSubscriptionRefused(Invalid):
    """What the browser sent is not a push subscription Balie accepts."""

    default_code = "invalid_subscription"
    default_message = _("This is not a push subscription.")


class TooManySubscriptions(Conflict):
    default_code = "too_many_subscriptions"
    default_message = _(
        "Notifications are already on for %(max)s browsers in this conversation. "
        "Turn them off in one of them first."
    )


class SubscriptionNotFound(NotFound):
    default_code = "subscription_not_found"
    default_message = _("Notifications were not on for this browser.")


@dataclass(frozen=True)
class SubscriptionInfo:
    endpoint: str
    p256dh: str
    auth: str


def _refused(code: str, message: Any, field: str, **params: object) -> PushSubscriptionRefused:
    return PushSubscriptionRefused(code, message, field=field or None, params=params)


def check_endpoint(value: object) -> str:
    """The endpoint as given, if Balie may send to it."""
    if not isinstance(value, str) or not value:
        raise _refused("invalid_endpoint", _("endpoint must be an https address."), "endpoint")
    if len(value) > MAX_ENDPOINT:
        raise _refused(
            "endpoint_too_long",
            _("endpoint is longer than %(max)s characters."),
            "endpoint",
            max=MAX_ENDPOINT,
        )
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        raise _refused(
            "invalid_endpoint", _("endpoint must be an https address."), "endpoint"
        ) from None
    if (
        parts.scheme not in ("https", "http")
        or not host
        or parts.username
        or parts.password
        or parts.fragment
        or any(ch.isspace() or ord(ch) < 32 for ch in value)
    ):
        raise _refused("invalid_endpoint", _("endpoint must be an https address."), "endpoint")
    target = resolve_endpoint(value)
    if target.scheme == "http" and not ipaddress.ip_address(target.address).is_loopback:
        raise _refused("invalid_endpoint", _("endpoint must be an https address."), "endpoint")
    return value


def resolve_endpoint(url: str) -> addresses.Target:
    """The checked address to connect to for an endpoint (:class:`AddressRefused` when its
    host lies in a network Balie does not send to)."""
    try:
        return addresses.resolve(url, addresses.networks(settings.WEBPUSH_ALLOWED_NETWORKS))
    except (OSError, UnicodeError):
        raise _refused(
            "endpoint_not_found", _("The host of endpoint could not be found."), "endpoint"
        ) from None


def _key(value: object, name: str, size: int) -> str:
    """A base64url key of exactly ``size`` bytes, returned without padding."""
    problem = _refused(
        f"invalid_{name}",
        _("keys.%(name)s must be %(size)s bytes in base64url."),
        f"keys.{name}",
        name=name,
        size=size,
    )
    if not isinstance(value, str) or not value or len(value) > 2 * size:
        raise problem
    text = value.rstrip("=")
    if not all(ch.isalnum() or ch in "-_" for ch in text) or not text.isascii():
        raise problem
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise problem from None
    if len(raw) != size or (name == "p256dh" and raw[0] != 4):
        raise problem
    return text


def check_subscription(data: object) -> SubscriptionInfo:
    """What ``PushSubscription.toJSON()`` gave, checked part by part."""
    if not isinstance(data, dict):
        raise _refused("invalid_subscription", _("Send the subscription as a JSON object."), "")
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise _refused("invalid_keys", _("keys must hold p256dh and auth."), "keys")
    return SubscriptionInfo(
        endpoint=check_endpoint(data.get("endpoint")),
        p256dh=_key(keys.get("p256dh"), "p256dh", P256DH_BYTES),
        auth=_key(keys.get("auth"), "auth", AUTH_BYTES),
    )


def do_subscribe(conversation: Conversation, info: SubscriptionInfo) -> PushSubscription:
    """Turn notifications on for one browser of the conversation's resident (again: its keys
    are replaced, as a browser's new subscription to the same endpoint has new keys)."""
    with transaction.atomic():
        # Lock the conversation: two browsers subscribing at once count each other.
        Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
        mine = PushSubscription.objects.for_organisation(conversation.organisation_id).filter(
            conversation=conversation
        )
        existing = mine.filter(endpoint=info.endpoint).first()
        if existing is not None:
            mine.filter(pk=existing.pk).update(p256dh=info.p256dh, auth=info.auth, failures=0)
            existing.refresh_from_db()
            return existing
        if mine.count() >= MAX_PER_CONVERSATION:
            raise TooManySubscriptions(params={"max": MAX_PER_CONVERSATION})
        try:
            with transaction.atomic():
                return PushSubscription.objects.create(
                    organisation_id=conversation.organisation_id,
                    conversation=conversation,
                    endpoint=info.endpoint,
                    p256dh=info.p256dh,
                    auth=info.auth,
                    created_at=timezone.now(),
                )
        except IntegrityError:  # the same browser, twice at once
            return mine.get(endpoint=info.endpoint)


def do_unsubscribe(conversation: Conversation, endpoint: object) -> None:
    """Turn notifications off for the browser of ``endpoint``: only among this
    conversation's own subscriptions (another device's is not found)."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise _refused("invalid_endpoint", _("endpoint must be an https address."), "endpoint")
    deleted, _rows = (
        PushSubscription.objects.for_organisation(conversation.organisation_id)
        .filter(conversation=conversation, endpoint=endpoint)
        .delete()
    )
    if not deleted:
        raise SubscriptionNotFound()
