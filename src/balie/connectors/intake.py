"""Channels' webhook requests taken together: the group commit of ``/hooks/<public id>/``.

Webhook requests that arrive together (Meta sends many at once) are handed to
:func:`take_webhooks` as one batch by the web layer's group commit, and taken in one
transaction:

1. each request's account is found by its public id (404 for an unknown or switched-off
   one), its body held to the connector's limit (413);
2. a connector that reads without storing (:meth:`~.registry.Connector.read_webhook`) checks
   the signature and reads; the residents' messages of every request of an account are
   stored in one :func:`~.inbound.do_receive_many` (one write through the message writer),
   then each request's status reports, then the connector's own work (``then``);
3. a connector that stores itself (:meth:`~.registry.Connector.handle_webhook`) does so in a
   savepoint of its own, so its failure leaves the others.

A request refused (a bad signature, a malformed body) gets its answer and costs the others
nothing. Should the batch fail as a whole, the caller takes its requests again one by one:
only the one that broke it fails, and the channel sends it again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from balie.conf.limits import max_body_bytes
from balie.connectors.inbound import Received, do_channel_status, do_receive_many
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import (
    Connector,
    Notification,
    WebhookRequest,
    WebhookResponse,
    connector_for,
)
from balie.conversations import events
from balie.errors import BalieError

__all__ = ["WebhookCall", "body_limit", "take_webhook", "take_webhooks"]

log = logging.getLogger(__name__)

NOT_FOUND = WebhookResponse(404)
TOO_LARGE = WebhookResponse(413)


@dataclass(frozen=True)
class WebhookCall:
    public_id: str
    request: WebhookRequest


def body_limit(connector: Connector) -> int:
    return connector.max_webhook_bytes or max_body_bytes()


def take_webhooks(
    calls: Sequence[WebhookCall],
) -> tuple[list[WebhookResponse | Exception], list]:
    """Take ``calls`` in one transaction; each gets its answer, a refusal
    (:class:`~balie.errors.BalieError`) or the exception that broke it alone. Returns also
    the events to send after commit (``conversations.events.collect_events``)."""
    accounts = {
        account.public_id: account
        for account in ChannelAccount.objects.filter(
            public_id__in={call.public_id for call in calls}, enabled=True
        ).select_related("organisation")
    }
    outcomes: list[WebhookResponse | Exception | None] = [None] * len(calls)
    read: list[tuple[int, ChannelAccount, Notification]] = []
    with events.collect_events() as collected, transaction.atomic():
        for position, call in enumerate(calls):
            account = accounts.get(call.public_id)
            connector = connector_for(account.kind) if account else None
            if account is None or connector is None:
                outcomes[position] = NOT_FOUND
            elif len(call.request.body) > body_limit(connector):
                outcomes[position] = TOO_LARGE
            else:
                notification = _read(connector, account, call.request)
                if isinstance(notification, Notification):
                    read.append((position, account, notification))
                else:
                    outcomes[position] = notification
        _store(read)
        for position, _account, notification in read:
            outcomes[position] = notification.response
    return outcomes, list(collected)  # type: ignore[return-value]  # every position filled


def take_webhook(public_id: str, request: WebhookRequest) -> WebhookResponse:
    """One request, taken from synchronous code (the demo's stand-in, scripts): its answer,
    or the refusal raised; its events sent after the commit."""
    (outcome,), collected = take_webhooks([WebhookCall(public_id, request)])
    for event, groups in collected:
        events.send_event(event, groups)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _read(
    connector: Connector, account: ChannelAccount, request: WebhookRequest
) -> Notification | WebhookResponse | Exception:
    try:
        notification = connector.read_webhook(account, request)
    except BalieError as refusal:
        return refusal
    if notification is not None:
        return notification
    try:
        with transaction.atomic():  # a savepoint: this request's writes alone roll back
            return connector.handle_webhook(account, request)
    except BalieError as refusal:
        return refusal
    except Exception as error:
        log.exception("channel webhook failed", extra={"account": account.pk})
        return error


def _store(read: list[tuple[int, ChannelAccount, Notification]]) -> None:
    """Every account's messages in one write, then each request's reports and own work."""
    by_account: dict[int, tuple[ChannelAccount, list[Notification]]] = {}
    for _position, account, notification in read:
        by_account.setdefault(account.pk, (account, []))[1].append(notification)
    stored: dict[int, list[Received | BalieError]] = {}
    for account, notifications in by_account.values():
        outcomes = do_receive_many(account, [m for n in notifications for m in n.messages])
        start = 0
        for notification in notifications:
            stored[id(notification)] = outcomes[start : start + len(notification.messages)]
            start += len(notification.messages)
    for _position, account, notification in read:
        for report in notification.statuses:
            do_channel_status(account, report.external_id, report.status, error=report.error)
        if notification.then is not None:
            notification.then(stored[id(notification)])
