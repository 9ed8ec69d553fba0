"""Publishing a decided Woo request to the organisation's GPP-Woo publicatiebank: setting up
the connection (address, API token, the publisher's and the informatiecategorie's UUIDs)
and asking for a publication, which the task ``woo.tasks.publish_request`` carries out.

The token is sealed at rest (``balie.tenants.secrets``) and never shown back or archived.
The client is ``woo.gpp``, the attempt ``woo.sending``, the outcomes ``woo.outcomes``.
"""

from __future__ import annotations

import datetime
import ipaddress
import uuid
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import Role
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations.actions.errors import ActionError
from balie.records.permissions import require_role
from balie.tenants.secrets import seal
from balie.woo.checks import record, require_writer
from balie.woo.models import (
    PUBLISHED_DECISIONS,
    Publication,
    PublicationState,
    PublicationTarget,
    Status,
    WooRequest,
)
from balie.woo.outcomes import PublicationRefused
from balie.woo.tasks import publish_request

__all__ = ["CONFIGURERS", "STALE_AFTER", "do_configure_publisher", "do_publish"]

CONFIGURERS = frozenset({Role.WOO_OFFICER, Role.ADMIN})
NOT_ALLOWED = _("Only a Woo coordinator or an administrator sets up the publicatiebank.")
# A publication still queued or sending this long after its last change was left behind by
# a worker that stopped; asking again takes it up (the stored ids prevent duplicates).
STALE_AFTER = datetime.timedelta(hours=3)
LOOPBACK_NAMES = {"localhost"}


def do_configure_publisher(
    organisation_id: int,
    *,
    actor,
    url: object,
    publisher: object,
    category: object,
    token: object = None,
    enabled: object = True,
) -> PublicationTarget:
    """Set up (or change) the organisation's publicatiebank. ``token`` None keeps the stored
    one. ``actor`` None is the server's operator at the command line."""
    if actor is not None:
        require_role(actor, organisation_id, CONFIGURERS, NOT_ALLOWED)
    if not isinstance(enabled, bool):
        raise ActionError(
            "invalid_field", _("%(name)s is true or false."), params={"name": "enabled"}
        )
    target = PublicationTarget.objects.for_organisation(organisation_id).first()
    fields = {
        "url": _checked_url(url),
        "publisher": _checked_uuid(publisher, "publisher"),
        "category": _checked_uuid(category, "category"),
        "enabled": enabled,
        "updated_by": Actor.of(actor).user,
    }
    if token is not None:
        fields["token"] = seal(_checked_token(token))
    elif target is None:
        raise ActionError("invalid_field", _("%(name)s is required."), params={"name": "token"})
    with transaction.atomic():
        target, _created = PublicationTarget.objects.update_or_create(
            organisation_id=organisation_id, defaults=fields
        )
        record_event(
            organisation_id=organisation_id,
            event_type="woo.publicatiebank.configured",
            payload={
                "url": target.url,
                "publisher": str(target.publisher),
                "category": str(target.category),
                "enabled": target.enabled,
                "token_changed": token is not None,  # never the token itself
            },
            actor=actor_ref(actor),
        )
    return target


def do_publish(request: WooRequest, *, actor) -> Publication:
    """Queue the decided request for publication; the task sends it. Asking again after a
    failure (or for one left behind) continues the same publication."""
    require_writer(actor, request.organisation_id)
    if request.status != Status.DECIDED:
        raise PublicationRefused("not_decided")
    if not (
        PublicationTarget.objects.for_organisation(request.organisation_id)
        .filter(enabled=True)
        .exists()
    ):
        raise PublicationRefused("no_publicatiebank")
    if not request.documents.filter(decision__in=PUBLISHED_DECISIONS).exists():
        raise PublicationRefused("nothing_to_publish")
    try:
        return _queue(request, Actor.of(actor).user)
    except IntegrityError:  # another Woo coordinator asked at the same moment
        raise PublicationRefused("publication_in_progress") from None


def _queue(request: WooRequest, person) -> Publication:
    now = timezone.now()
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(request=request).first()
        if publication is None:
            publication = Publication(
                organisation_id=request.organisation_id, request=request, key=uuid.uuid4()
            )
        elif publication.state == PublicationState.PUBLISHED:
            raise PublicationRefused("already_published")
        elif publication.state != PublicationState.FAILED and (
            publication.updated_at > now - STALE_AFTER
        ):
            raise PublicationRefused("publication_in_progress")
        publication.state = PublicationState.QUEUED
        publication.attempts, publication.next_attempt_at = 0, None
        publication.requested_by, publication.requested_at = person, now
        publication.save()
        record(request, "woo.publication.queued", person, publication=publication.pk)
        publish_request.enqueue(publication.pk)
    return publication


def _checked_url(value: object) -> str:
    """An https address (http only on this machine, for testing) without credentials,
    query or fragment; kept without its trailing slash."""
    problem = ActionError(
        "invalid_field",
        _("%(name)s must be an https address, like https://publicaties.example.nl."),
        params={"name": "url"},
    )
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 500:
        raise problem
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        raise problem from None
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        raise problem
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(host)):
        raise problem
    return value.strip().rstrip("/")


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked_uuid(value: object, name: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value.strip())
        except ValueError:
            pass
    raise ActionError("invalid_field", _("%(name)s must be a UUID."), params={"name": name})


def _checked_token(value: object) -> str:
    """A token goes into a header: printable ASCII without spaces."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 1000 or not all("!" <= ch <= "~" for ch in text):
        raise ActionError(
            "invalid_field",
            _("%(name)s must be printable characters without spaces."),
            params={"name": "token"},
        )
    return text
