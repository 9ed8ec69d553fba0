"""Delivering what staff write in a channel's conversation: the conversations' delivery task
calls :func:`send_outbound` (registered per channel in ``ConnectorsConfig.ready``), which
finds the account and the resident's address of the conversation and lets the connector
send it. Retries, the failed state and "send again" are the delivery task's
(``balie.conversations.tasks``). A message is sent at least once and, unless Balie stops
between the channel's answer and storing it, once. A status report that arrives before
the channel's id is stored is applied when it is (``inbound.do_record_sent``)."""

from __future__ import annotations

from balie.connectors.inbound import do_record_sent
from balie.connectors.models import ChannelThread
from balie.connectors.registry import connector_for
from balie.conversations.models import Message
from balie.conversations.tasks import DeliveryFailed

__all__ = ["send_outbound"]


def send_outbound(message: Message) -> None:
    thread = (
        ChannelThread.objects.filter(conversation_id=message.conversation_id)
        .select_related("account")
        .first()
    )
    if thread is None:
        raise DeliveryFailed("no_channel_account", retryable=False)
    account = thread.account
    if not account.enabled:
        raise DeliveryFailed("channel_disabled", retryable=False)
    connector = connector_for(account.kind)
    if connector is None:
        raise DeliveryFailed("no_connector", account.kind, retryable=False)
    external_id = connector.send(account, message, address=thread.address)
    do_record_sent(account, message, external_id)
