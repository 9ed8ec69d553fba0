"""Sending one conversation's push: the payload, one POST per subscription, and what each
answer does to the subscription.

The payload is JSON with only ``title`` (the organisation's name), ``body`` ("U heeft een
nieuw bericht van Gemeente X", in the conversation's language) and ``url`` (the chat page):
never the message's text, its author or anything the resident wrote. It is encrypted for the
browser (aes128gcm, RFC 8291) and signed with the installation's VAPID key (RFC 8292) by
``pywebpush``; Balie's own session sends it, with timeouts, no proxy, no redirect, to exactly
the address that was checked (:mod:`balie.conf.addresses`).

At most one push per conversation per ``COALESCE`` (:func:`plan_push`): an answer within
that time of the last push is pushed when it has passed (one planned push covers every answer
until then), unless a push after it went out already. A 2xx counts as success; 404 or 410
mean the browser's subscription is gone, and it is deleted; any other answer, or none,
counts as a failure, and the fifth in a row deletes the subscription.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pywebpush import WebPusher, WebPushException

from balie.conf import addresses, http
from balie.connectors.webpush import keys
from balie.connectors.webpush.models import PushSubscription
from balie.connectors.webpush.subscriptions import PushSubscriptionRefused, resolve_endpoint
from balie.conversations.models import Conversation

__all__ = [
    "COALESCE",
    "MAX_FAILURES",
    "Outcome",
    "Plan",
    "do_record_outcome",
    "payload",
    "plan_push",
    "send_one",
]

logger = logging.getLogger(__name__)

COALESCE = timedelta(seconds=30)
MAX_FAILURES = 5
TTL = 12 * 3600  # seconds the push service keeps a push for a browser that is offline
TIMEOUT = (5.0, 10.0)
VAPID_LIFETIME = 12 * 3600  # the JWT's exp, seconds from now (RFC 8292: at most 24 h)
GONE = frozenset({404, 410})


@dataclass(frozen=True)
class Outcome:
    """What one POST came to: ``status`` of the push service (None: no answer)."""

    status: int | None
    code: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        return self.status in GONE


@dataclass(frozen=True)
class Plan:
    """What to do for an answer: ``push`` now, ``later`` (when), or nothing (covered)."""

    push: bool
    later: datetime | None = None


def payload(conversation: Conversation) -> bytes:
    """The push's JSON: the organisation's name, the fixed sentence, the chat's address."""
    organisation = conversation.organisation
    language = conversation.language if conversation.language in ("nl", "en") else "nl"
    with translation.override(language):
        body = gettext("You have a new message from %(organisation)s") % {
            "organisation": organisation.name
        }
    url = reverse("resident:chat", args=[organisation.slug])
    if language == "en":
        url += "?lang=en"
    return json.dumps({"title": organisation.name, "body": body, "url": url}).encode()


def plan_push(conversation: Conversation, answered_at: datetime) -> Plan:
    """Claim the conversation's push for an answer of ``answered_at``, under the
    conversation's lock: two workers never both push within ``COALESCE``."""
    now = timezone.now()
    with transaction.atomic():
        Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
        mine = PushSubscription.objects.for_organisation(conversation.organisation_id).filter(
            conversation=conversation
        )
        found = mine.aggregate(last=Max("last_push_at"), planned=Max("push_planned_at"))
        last, planned = found["last"], found["planned"]
        if last is not None and last >= answered_at:
            return Plan(push=False)  # a push after this answer went out already
        if last is not None and now - last < COALESCE:
            due = last + COALESCE
            if planned is not None and planned >= due:
                return Plan(push=False)  # the push planned for then covers this answer too
            mine.update(push_planned_at=due)
            return Plan(push=False, later=due)
        if not mine.update(last_push_at=now, push_planned_at=None):
            return Plan(push=False)  # no subscription (any more)
    return Plan(push=True)


def send_one(subscription: PushSubscription, data: bytes) -> Outcome:
    """One POST of ``data``, encrypted for ``subscription``'s browser, to its endpoint."""
    try:
        target = resolve_endpoint(subscription.endpoint)
    except addresses.AddressRefused:
        return Outcome(None, "address_refused")
    except PushSubscriptionRefused:
        return Outcome(None, "unreachable")
    parts = urlsplit(subscription.endpoint)
    claims = {
        "sub": keys.subject(),
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + VAPID_LIFETIME,
    }
    headers = {**keys.vapid().sign(claims), "Urgency": "normal", "Topic": "answer"}
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    # No proxy from the environment and no redirect: the checked address is the one reached.
    session = http.session(timeout=TIMEOUT, trust_env=False)
    session.max_redirects = 0
    adapter = addresses.PinnedAdapter(target.address)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    try:
        with session:
            pusher = WebPusher(info, requests_session=session)
            response = pusher.send(data, headers, ttl=TTL, timeout=TIMEOUT)
    except requests.Timeout:
        return Outcome(None, "timeout")
    except requests.RequestException as error:
        return Outcome(None, type(error).__name__)  # the name only: its text has the address
    except (WebPushException, ValueError):
        return Outcome(None, "bad_keys")
    status = response.status_code
    return Outcome(status, "" if 200 <= status < 300 else f"status_{status}")


def do_record_outcome(subscription: PushSubscription, outcome: Outcome) -> str:
    """What the answer does to the subscription: success, gone (deleted), or one more
    failure (deleted at ``MAX_FAILURES`` in a row). Returns which."""
    rows = PushSubscription.objects.for_organisation(subscription.organisation_id).filter(
        pk=subscription.pk
    )
    if outcome.delivered:
        rows.update(last_success_at=timezone.now(), failures=0)
        return "delivered"
    if outcome.gone:
        rows.delete()
        return "gone"
    with transaction.atomic():
        rows.update(failures=F("failures") + 1)
        rows.filter(failures__gte=MAX_FAILURES).delete()
    logger.info(
        "push not delivered",
        extra={"subscription": subscription.pk, "code": outcome.code, "status": outcome.status},
    )
    return "failed"
