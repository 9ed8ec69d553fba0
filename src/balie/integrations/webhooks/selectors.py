"""Reading webhooks: an organisation's subscriptions (never their secrets) and its delivery
log, for its administrators only.

Webhooks are set up by people: an API key is refused (403), whichever organisation it
belongs to. A subscription or delivery of an organisation the person does not work for does
not exist for them (404); one of their own organisation without the administrator's role is
refused (403).
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import Role
from balie.conversations.actions.checks import id_from_outside
from balie.conversations.actions.errors import ActionError
from balie.errors import NotAllowed, NotFound
from balie.integrations.webhooks.models import Delivery, DeliveryState, Subscription
from balie.integrations.webhooks.outcomes import error_text
from balie.tenants.models import Organisation

__all__ = [
    "ADMINS",
    "MAX_LOG",
    "WebhookNotFound",
    "WebhooksNotAllowed",
    "access_delivery",
    "access_subscription",
    "deliveries_of",
    "delivery_view",
    "organisation_for",
    "require_admin",
    "subscription_view",
    "subscriptions_of",
]

ADMINS = frozenset({Role.ADMIN})
MAX_LOG = 500


class WebhooksNotAllowed(NotAllowed):
    default_code = "permission_denied"
    default_message = _("Only an administrator of the organisation manages its webhooks.")


class WebhookNotFound(NotFound):
    default_code = "not_found"
    default_message = _("This webhook does not exist.")


def require_admin(actor, organisation_id: int) -> None:
    """A person with the administrator's role in the organisation."""
    if not _person(actor).has_role(organisation_id, ADMINS):
        raise WebhooksNotAllowed()


def _person(actor) -> Actor:
    who = Actor.of(actor)
    if not who.is_person:
        raise WebhooksNotAllowed(message=_("Webhooks are set up by people, not by an API key."))
    return who


def organisation_for(actor, slug: object = None) -> int:
    """The organisation a request is about: the one named by ``slug`` among those the person
    works for, or else the only one they administer."""
    who = _person(actor)
    if slug is not None:
        if not isinstance(slug, str):
            raise ActionError("invalid_field", _("organisation is the slug of an organisation."))
        found = Organisation.objects.filter(pk__in=who.organisations(), slug=slug).first()
        if found is None:
            raise WebhookNotFound()
        require_admin(who, found.pk)
        return found.pk
    administered = who.organisations(ADMINS)
    if not administered:
        raise WebhooksNotAllowed()
    if len(administered) > 1:
        raise ActionError(
            "organisation_required",
            _("You work for more than one organisation: give organisation (the slug)."),
        )
    return administered[0]


def subscriptions_of(actor, organisation_id: int) -> QuerySet[Subscription]:
    require_admin(actor, organisation_id)
    return Subscription.objects.for_organisation(organisation_id).select_related("organisation")


def access_subscription(actor, subscription_id: object) -> Subscription:
    who, pk = _person(actor), id_from_outside(subscription_id)
    found = (
        Subscription.objects.filter(pk=pk, organisation_id__in=who.organisations())
        .select_related("organisation")
        .first()
        if pk is not None
        else None
    )
    if found is None:
        raise WebhookNotFound()
    require_admin(who, found.organisation_id)
    return found


def deliveries_of(
    actor,
    organisation_id: int,
    *,
    state: str | None = None,
    subscription_id: int | None = None,
) -> QuerySet[Delivery]:
    """The delivery log, the latest first; optionally only one state or one subscription."""
    require_admin(actor, organisation_id)
    found = Delivery.objects.for_organisation(organisation_id).select_related("subscription")
    if state is not None:
        if state not in DeliveryState.values:
            raise ActionError("invalid_field", _("Unknown state."), field="state")
        found = found.filter(state=state)
    if subscription_id is not None:
        found = found.filter(subscription_id=subscription_id)
    return found.order_by("-pk")


def access_delivery(actor, delivery_id: object) -> Delivery:
    who, pk = _person(actor), id_from_outside(delivery_id)
    found = (
        Delivery.objects.filter(pk=pk, organisation_id__in=who.organisations())
        .select_related("subscription", "organisation")
        .first()
        if pk is not None
        else None
    )
    if found is None:
        raise WebhookNotFound()
    require_admin(who, found.organisation_id)
    return found


def subscription_view(subscription: Subscription) -> dict[str, Any]:
    """A subscription as people and the API see it: of the secret nothing but whether the
    previous one is still used too, and until when."""
    until = subscription.previous_until
    overlapping = until is not None and until > timezone.now() and subscription.previous_secret
    return {
        "id": subscription.pk,
        "organisation": subscription.organisation.slug,
        "name": subscription.name,
        "url": subscription.url,
        "event_types": list(subscription.event_types),
        "enabled": subscription.enabled,
        "previous_secret_until": until if overlapping else None,
        "created_at": subscription.created_at,
        "updated_at": subscription.updated_at,
    }


def delivery_view(delivery: Delivery, *, with_event: bool = False) -> dict[str, Any]:
    """A line of the delivery log; ``with_event``: the CloudEvent as sent, too."""
    view = {
        "id": delivery.pk,
        "subscription": delivery.subscription_id,
        "subscription_name": delivery.subscription.name,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "subject": delivery.subject,
        "state": delivery.state,
        "state_label": str(DeliveryState(delivery.state).label),
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at
        if delivery.state == DeliveryState.PENDING
        else None,
        "last_attempt_at": delivery.last_attempt_at,
        "last_status": delivery.last_status,
        "error_code": delivery.error_code,
        "error": error_text(delivery.error_code, delivery.last_status),
        "error_detail": delivery.last_error,
        "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
    }
    if with_event:
        view["event"] = json.loads(delivery.body)
    return view
