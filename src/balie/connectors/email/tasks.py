"""The background round over every mailbox, for `balie worker`'s schedule."""

from __future__ import annotations

import logging
from collections import Counter

from django_tasks import task

from balie.connectors.email.imap import MailboxError, mail_accounts, poll_account

log = logging.getLogger(__name__)


def poll_all(organisation_id: int | None = None) -> Counter[str]:
    """One round on each enabled IMAP account (of one organisation); a mailbox that cannot
    be read is logged and counted as "unavailable", the others go on."""
    total: Counter[str] = Counter()
    for account in mail_accounts(organisation_id):
        try:
            total.update(poll_account(account))
        except MailboxError as error:
            log.warning("mailbox unavailable", extra={"account": account.pk, "error": str(error)})
            total["unavailable"] += 1
    return total


@task()
def poll_mailboxes() -> dict[str, int]:
    """Take the unread mail of every mailbox read over IMAP (once; `balie mail poll` keeps
    them open with IDLE instead)."""
    return dict(poll_all())
