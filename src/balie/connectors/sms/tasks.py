"""The SMS connector's background task: storing long messages whose parts did not all
arrive, and forgetting what it kept (part ids, early reports) after a day.

The task is enqueued where the need arises — with a message's first part (to run when its
parts have had :data:`~balie.connectors.sms.joining.JOIN_TIMEOUT` to arrive), with a joined
message and with an early report (to run when they may be forgotten) — so it needs no
schedule. Each run does all that is due for the account, whichever run that is.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from balie.connectors.models import ChannelAccount
from balie.conversations.models import Channel

__all__ = ["tidy_later", "tidy_sms"]

logger = logging.getLogger(__name__)


@task()
def tidy_sms(account_id: int) -> int:
    """Store the account's stale incomplete messages, forget what is old; the number of
    messages stored."""
    # joining and reports enqueue this task: they import this module, not it them.
    from balie.connectors.sms import joining, reports  # noqa: PLC0415

    account = ChannelAccount.objects.filter(pk=account_id, kind=Channel.SMS).first()
    if account is None:
        return 0
    stored = joining.do_deliver_stale_parts(account)
    joining.do_forget_parts(account)
    reports.do_forget_early_reports(account)
    if stored:
        logger.info("incomplete sms stored", extra={"account": account_id, "count": stored})
    return stored


def tidy_later(account: ChannelAccount, after: timedelta) -> None:
    """Enqueue :func:`tidy_sms` for ``account`` to run ``after`` from now."""
    when = timezone.now() + after + timedelta(seconds=1)
    tidy_sms.using(run_after=when).enqueue(account.pk)
