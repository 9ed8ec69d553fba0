"""Why a mail is not taken: answered to the webhook's sender, logged (and the mail flagged)
when it came from the mailbox."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from balie.errors import Invalid, TooLarge

__all__ = ["MailRejected", "MailTooComplex", "MailTooLarge"]


class MailRejected(Invalid):
    """A mail Balie does not take: ``MailRejected(code, message)`` (422 at the webhook)."""

    status = 422


class MailTooLarge(MailRejected, TooLarge):
    status = 413
    default_code = "too_large"
    default_message = _("The e-mail is larger than %(limit)s MB.")


class MailTooComplex(MailRejected):
    """More parts or header text than Balie reads in reasonable time."""

    default_code = "too_complex"
    default_message = _("The e-mail has more parts than Balie reads.")
