"""Delivery reports on what Balie sent, in whatever order they come.

The order between reports is the conversations' concern (``do_record_channel_status``
never moves a message back: *delivered* before *sent* leaves it delivered). What is left
here is a report that comes before Balie knows the provider's id: a provider may report on
a message before its answer to the send has reached Balie. Such a report is kept as an
:class:`~balie.connectors.sms.models.EarlyReport` and applied when the send returns that id
(:func:`apply_early_reports`); one that never finds its message is forgotten after a day.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from balie.connectors.inbound import do_channel_status
from balie.connectors.models import ChannelAccount, ExternalMessage
from balie.connectors.sms.models import EarlyReport
from balie.connectors.sms.providers.base import Report
from balie.connectors.sms.tasks import tidy_later
from balie.conversations import actions
from balie.conversations.models import Message

__all__ = ["KEEP", "apply_early_reports", "do_apply_report", "do_forget_early_reports"]

KEEP = timedelta(days=1)


def _known(account: ChannelAccount, external_id: str) -> bool:
    return ExternalMessage.objects.filter(
        account=account, external_id=external_id, inbound=False
    ).exists()


def do_apply_report(account: ChannelAccount, report: Report) -> bool:
    """Apply ``report``; False when it changes nothing (yet)."""
    if report.status is None:
        return False
    if do_channel_status(account, report.external_id, report.status, error=report.error):
        return True
    if _known(account, report.external_id):
        return False  # late or repeated: the message is already further
    with transaction.atomic():
        EarlyReport.objects.create(
            account=account, external_id=report.external_id, status=report.status,
            error=report.error,
        )  # fmt: skip
        tidy_later(account, KEEP)
    # The send may have stored the id between the first look and this one.
    found = (
        ExternalMessage.objects.filter(
            account=account, external_id=report.external_id, inbound=False
        )
        .select_related("message")
        .first()
    )
    return apply_early_reports(account, report.external_id, found.message) if found else False


def apply_early_reports(account: ChannelAccount, external_id: str, message: Message) -> bool:
    """Apply the reports on ``external_id`` that came before the send returned it, in the
    order they came, to ``message``; True when one changed it."""
    changed = False
    with transaction.atomic():
        early = list(
            EarlyReport.objects.select_for_update()
            .filter(account=account, external_id=external_id)
            .order_by("created_at", "pk")
        )
        for report in early:
            changed |= actions.do_record_channel_status(message, report.status, error=report.error)
        EarlyReport.objects.filter(pk__in=[r.pk for r in early]).delete()
    return changed


def do_forget_early_reports(account: ChannelAccount, *, now=None) -> int:
    cutoff = (now or timezone.now()) - KEEP
    removed, _ = EarlyReport.objects.filter(account=account, created_at__lte=cutoff).delete()
    return removed
