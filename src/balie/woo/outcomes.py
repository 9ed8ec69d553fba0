"""What becomes of a publication: claimed by an attempt, published, or failed (to be tried
again after a pause, or for good). The writes of the publishing task, each with its archive
event; and the texts that say why a publication failed, in the reader's language.

A failure is stored as a code, the publicatiebank's HTTP status and its own short text, so
that the console shows the reason in the language of whoever reads it.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.errors import Conflict
from balie.tenants.secrets import SecretUnreadable
from balie.woo.actions import do_set_status
from balie.woo.checks import record
from balie.woo.gpp import MESSAGES as REMOTE_MESSAGES
from balie.woo.gpp import PublicatiebankError
from balie.woo.models import Publication, PublicationState, Status

__all__ = [
    "PublicationRefused",
    "do_claim",
    "do_record_failure",
    "do_record_published",
    "error_text",
]

DETAIL_LIMIT = 500

REFUSALS = {
    "not_decided": _("Only a decided request can be published."),
    "no_publicatiebank": _("No publicatiebank is set up for this organisation."),
    "nothing_to_publish": _("No document of this request is decided public or partly public."),
    "already_published": _("This request has already been published."),
    "publication_in_progress": _("This request is already being published."),
    "requester_not_allowed": _(
        "The person who asked to publish is no longer a Woo coordinator here; ask again."
    ),
    "target_changed": _(
        "The publicatiebank's address changed while publishing; the documents sent so far "
        "are at the earlier address."
    ),
    "internal": _("Publishing stopped on an unexpected error (%(detail)s)."),
}


class PublicationRefused(Conflict):
    """A publication that cannot go ahead in the request's or organisation's present state."""

    default_code = "internal"

    def __init__(self, code: str, *, detail: str = "") -> None:
        super().__init__(code, REFUSALS.get(code, REFUSALS["internal"]), params={"detail": detail})


def error_text(code: str, status: int | None, detail: str) -> str:
    """The stored failure as a sentence in the active language."""
    if not code:
        return ""
    if code in REMOTE_MESSAGES:
        return PublicatiebankError(
            code, remote_status=status, detail=detail, retryable=False
        ).message
    if code == SecretUnreadable.default_code:
        return SecretUnreadable().message
    return PublicationRefused(
        code if code in REFUSALS else "internal", detail=detail or code
    ).message


def do_claim(publication_id: int) -> Publication | None:
    """Take a queued publication for one attempt (one worker at a time): it becomes
    ``sending`` and counts the attempt. None when it is not queued (done, failed, or taken)."""
    with transaction.atomic():
        claimed = Publication.objects.filter(
            pk=publication_id, state=PublicationState.QUEUED
        ).update(state=PublicationState.SENDING, attempts=F("attempts") + 1, next_attempt_at=None)
    if not claimed:
        return None
    return Publication.objects.select_related("request__organisation", "requested_by").get(
        pk=publication_id
    )


def do_record_published(publication: Publication, remote_url: str) -> Publication:
    """The publicatiebank made it public: the publication and the request are published (the
    request through the status action, in the name of the person who asked)."""
    request = publication.request
    with transaction.atomic():
        publication.state = PublicationState.PUBLISHED
        publication.remote_url = remote_url[:1000]
        publication.published_at = timezone.now()
        publication.error_code, publication.error_status, publication.last_error = "", None, ""
        publication.save(
            update_fields=[
                "state", "remote_url", "published_at", "error_code", "error_status",
                "last_error", "updated_at",
            ]
        )  # fmt: skip
        record(
            request, "woo.publication.published", None, attempt=publication.attempts,
            remote=str(publication.remote_uuid), documents=publication.documents.count(),
        )  # fmt: skip
        request.refresh_from_db(fields=["status"])
        if request.status == Status.DECIDED:
            do_set_status(request, actor=publication.requested_by, status=Status.PUBLISHED)
    return publication


def do_record_failure(
    publication: Publication,
    *,
    code: str,
    status: int | None,
    detail: str,
    retry_at: datetime.datetime | None,
) -> Publication:
    """An attempt failed: queued again for ``retry_at``, or failed for good when None."""
    publication.state = PublicationState.QUEUED if retry_at else PublicationState.FAILED
    publication.next_attempt_at = retry_at
    publication.error_code, publication.error_status = code[:40], status
    publication.last_error = detail[:DETAIL_LIMIT]
    with transaction.atomic():
        publication.save(
            update_fields=[
                "state", "next_attempt_at", "error_code", "error_status", "last_error",
                "updated_at",
            ]
        )  # fmt: skip
        record(
            publication.request,
            "woo.publication.retrying" if retry_at else "woo.publication.failed",
            None,
            attempt=publication.attempts,
            error=publication.error_code,
            status=status,
        )
    return publication
