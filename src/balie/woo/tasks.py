"""Background tasks of Woo: publishing a decided request to the publicatiebank.

An attempt that fails for a reason that may pass (the publicatiebank unreachable, a
timeout, a 5xx or 429 answer) is tried again after a pause that doubles each time, with
jitter, up to ``MAX_ATTEMPTS``; a refusal (a 4xx answer, a request no longer decided, no
publicatiebank set up) fails at once. A failed publication shows its error on the request;
a Woo coordinator publishes again when the cause is fixed, and the next attempt continues
where the last one stopped.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from balie.conf import retries
from balie.errors import BalieError
from balie.tenants.secrets import SecretUnreadable
from balie.woo.gpp import PublicatiebankError
from balie.woo.models import Publication
from balie.woo.outcomes import (
    PublicationRefused,
    do_claim,
    do_record_failure,
    do_record_published,
)
from balie.woo.sending import send

__all__ = ["BACKOFF_BASE", "BACKOFF_CAP", "MAX_ATTEMPTS", "backoff", "publish_request"]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = 60.0  # seconds before the second attempt (about: jitter)
BACKOFF_CAP = 3600.0  # the longest pause between two attempts


def backoff(attempts: int) -> datetime.timedelta:
    """The pause after ``attempts`` failed attempts (``balie.conf.retries``)."""
    return retries.backoff(attempts, base=BACKOFF_BASE, cap=BACKOFF_CAP)


@task()
def publish_request(publication_id: int) -> str:
    """One attempt at publishing; the publication's state afterwards."""
    publication = do_claim(publication_id)
    if publication is None:  # published, failed, or another worker has it
        state = Publication.objects.filter(pk=publication_id).values_list("state", flat=True)
        return state.first() or "gone"
    try:
        do_record_published(publication, send(publication))
    except PublicatiebankError as error:
        _failed(publication, error.code, error.remote_status, error.remote_detail, error.retryable)
    except (PublicationRefused, SecretUnreadable) as error:
        _failed(publication, error.code, None, "", retryable=False)
    except BalieError as error:
        _failed(publication, "internal", None, error.code, retryable=False)
    except Exception as error:
        logger.exception("publication attempt failed", extra={"publication_id": publication_id})
        # The exception's name only: its text may quote documents or addresses.
        _failed(publication, "internal", None, type(error).__name__, retryable=True)
    return publication.state


def _failed(
    publication: Publication, code: str, status: int | None, detail: str, retryable: bool
) -> None:
    again = retryable and publication.attempts < MAX_ATTEMPTS
    retry_at = timezone.now() + backoff(publication.attempts) if again else None
    logger.warning(
        "publication attempt failed",
        extra={"publication_id": publication.pk, "code": code, "status": status},
    )
    with transaction.atomic():
        do_record_failure(publication, code=code, status=status, detail=detail, retry_at=retry_at)
        if retry_at is not None:
            publish_request.using(run_after=retry_at).enqueue(publication.pk)
