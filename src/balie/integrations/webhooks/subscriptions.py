"""Setting up webhooks (an organisation's administrators): subscriptions, their secrets, a
test event, and sending a delivery again.

The signing secret is made by Balie, returned once by the action that makes it (creating a
subscription, rotating its secret) and stored sealed (``balie.tenants.secrets``); nothing
shows it again. Every change is in the archive, with the receiver's host but not its whole
address (an address can carry a receiver's token in its path or query), and never a secret.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations.actions.checks import checked_text
from balie.conversations.actions.errors import ActionError
from balie.errors import Conflict
from balie.integrations.webhooks import events
from balie.integrations.webhooks.addresses import check_url
from balie.integrations.webhooks.models import Delivery, DeliveryState, Subscription
from balie.integrations.webhooks.selectors import require_admin
from balie.integrations.webhooks.signing import new_secret
from balie.integrations.webhooks.tasks import send_deliveries
from balie.tenants.secrets import seal

__all__ = [
    "MAX_SUBSCRIPTIONS",
    "OVERLAP",
    "WebhookConflict",
    "do_create_subscription",
    "do_delete_subscription",
    "do_replay",
    "do_rotate_secret",
    "do_send_ping",
    "do_update_subscription",
]

MAX_SUBSCRIPTIONS = 20  # per organisation
MAX_PATTERNS = 20
OVERLAP = datetime.timedelta(hours=24)  # a rotated secret still signs this long, if asked

CONFLICTS = {
    "too_many_subscriptions": _("An organisation has at most %(limit)s webhooks."),
    "subscription_disabled": _("The subscription is switched off: switch it on first."),
    "delivery_pending": _("This delivery is still being sent."),
}


class WebhookConflict(Conflict):
    default_code = "subscription_disabled"

    def __init__(self, code: str) -> None:
        super().__init__(code, CONFLICTS[code], params={"limit": MAX_SUBSCRIPTIONS})


def do_create_subscription(
    organisation_id: int,
    *,
    actor,
    name: object,
    url: object,
    event_types: object = None,
    enabled: object = True,
) -> tuple[Subscription, str]:
    """A new subscription and its secret, which is shown this once."""
    require_admin(actor, organisation_id)
    fields = {
        "name": checked_text(name, "name", 100),
        "url": check_url(url),
        "event_types": _checked_patterns(["*"] if event_types is None else event_types),
        "enabled": _checked_bool(enabled, "enabled"),
    }
    secret = new_secret()
    with transaction.atomic():
        if Subscription.objects.for_organisation(organisation_id).count() >= MAX_SUBSCRIPTIONS:
            raise WebhookConflict("too_many_subscriptions")
        subscription = Subscription.objects.create(
            organisation_id=organisation_id,
            secret=seal(secret),
            created_by=Actor.of(actor).user,
            **fields,
        )
        _record(subscription, "webhooks.subscription.created", actor)
    return subscription, secret


def do_update_subscription(
    subscription: Subscription,
    *,
    actor,
    name: object = None,
    url: object = None,
    event_types: object = None,
    enabled: object = None,
) -> Subscription:
    """Change what is given; None leaves a field as it is."""
    require_admin(actor, subscription.organisation_id)
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = checked_text(name, "name", 100)
    if url is not None:
        changes["url"] = check_url(url)
    if event_types is not None:
        changes["event_types"] = _checked_patterns(event_types)
    if enabled is not None:
        changes["enabled"] = _checked_bool(enabled, "enabled")
    if not changes:
        return subscription
    with transaction.atomic():
        for field, value in changes.items():
            setattr(subscription, field, value)
        subscription.save(update_fields=[*changes, "updated_at"])
        _record(subscription, "webhooks.subscription.changed", actor, changed=sorted(changes))
    return subscription


def do_rotate_secret(subscription: Subscription, *, actor, overlap: object = True) -> str:
    """A new secret, shown this once. ``overlap``: requests are signed with the previous
    secret too for :data:`OVERLAP`, so the receiver can switch without missing events; off
    when the old secret may have leaked (it stops working at once)."""
    require_admin(actor, subscription.organisation_id)
    keep = _checked_bool(overlap, "overlap")
    secret = new_secret()
    with transaction.atomic():
        subscription.previous_secret = subscription.secret if keep else ""
        subscription.previous_until = timezone.now() + OVERLAP if keep else None
        subscription.secret = seal(secret)
        subscription.save(
            update_fields=["secret", "previous_secret", "previous_until", "updated_at"]
        )
        _record(subscription, "webhooks.subscription.secret_rotated", actor, overlap=keep)
    return secret


def do_delete_subscription(subscription: Subscription, *, actor) -> None:
    """Remove the subscription with its delivery log; nothing more is sent to it."""
    require_admin(actor, subscription.organisation_id)
    with transaction.atomic():
        _record(subscription, "webhooks.subscription.deleted", actor)
        subscription.delete()


def do_send_ping(subscription: Subscription, *, actor) -> Delivery:
    """A test event (``nl.balie.webhook.ping``) to the receiver, whatever its event types."""
    require_admin(actor, subscription.organisation_id)
    if not subscription.enabled:
        raise WebhookConflict("subscription_disabled")
    built = events.ping(subscription.organisation, subscription.pk)
    with transaction.atomic():
        delivery = Delivery.objects.create(
            organisation_id=subscription.organisation_id, subscription=subscription,
            event_id=built.id, event_type=built.type, subject=built.subject, seq=None,
            body=built.body, next_attempt_at=timezone.now(),
        )  # fmt: skip
        send_deliveries.enqueue([delivery.pk])
    return delivery


def do_replay(delivery: Delivery, *, actor) -> Delivery:
    """Send a failed or delivered delivery again: the same CloudEvent, the same ``id`` (a
    receiver that has it already can tell), a new signature; attempts start again."""
    require_admin(actor, delivery.organisation_id)
    if not delivery.subscription.enabled:
        raise WebhookConflict("subscription_disabled")
    with transaction.atomic():
        replayed = Delivery.objects.filter(
            pk=delivery.pk, state__in=[DeliveryState.FAILED, DeliveryState.DELIVERED]
        ).update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now(),
            error_code="", last_error="", last_status=None,
        )  # fmt: skip
        if not replayed:
            raise WebhookConflict("delivery_pending")
        record_event(
            organisation_id=delivery.organisation_id,
            event_type="webhooks.delivery.replayed",
            payload={"delivery": delivery.pk, "subscription": delivery.subscription_id,
                     "event_id": delivery.event_id},
            actor=actor_ref(actor),
        )  # fmt: skip
        send_deliveries.enqueue([delivery.pk])
    delivery.refresh_from_db()
    return delivery


def _record(subscription: Subscription, event_type: str, actor, **extra: object) -> None:
    record_event(
        organisation_id=subscription.organisation_id,
        event_type=event_type,
        payload={
            "subscription": subscription.pk,
            "name": subscription.name,
            "host": urlsplit(subscription.url).hostname or "",
            "event_types": list(subscription.event_types),
            "enabled": subscription.enabled,
            **extra,
        },
        actor=actor_ref(actor),
    )


def _checked_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ActionError(
            "invalid_field", _("%(name)s is true or false."), params={"name": name}, field=name
        )
    return value


def _checked_patterns(value: object) -> list[str]:
    """Event type patterns: ``*``, ``conversation.*``, ``message.*`` or a type's short name
    (``message.created``); at least one."""
    problem = ActionError(
        "invalid_field",
        _("%(name)s is a list of event types such as message.* or conversation.status-changed."),
        params={"name": "event_types"},
        field="event_types",
    )
    if not isinstance(value, list) or not value or len(value) > MAX_PATTERNS:
        raise problem
    known = {"*", *events.TYPES, *(f"{domain}.*" for domain in events.DOMAINS)}
    patterns: list[str] = []
    for pattern in value:
        if not isinstance(pattern, str):
            raise problem
        pattern = pattern.strip().removeprefix(events.PREFIX)
        if pattern not in known:
            raise problem
        if pattern not in patterns:
            patterns.append(pattern)
    return patterns
