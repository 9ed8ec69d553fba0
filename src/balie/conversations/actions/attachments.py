"""Storing uploaded files as attachments of a conversation."""

from __future__ import annotations

from django.db import transaction

from balie.archive.actions import record_event
from balie.archive.actors import actor_ref, api_key_of, user_of
from balie.conversations.blobs import store_blob
from balie.conversations.files import check_upload
from balie.conversations.models import Attachment, Conversation


def do_store_attachment(
    conversation: Conversation, *, data: bytes, filename: str, uploaded_by=None
) -> Attachment:
    """``uploaded_by``: a staff user, an API key, or None for the resident."""
    """Check an uploaded file, store its bytes content-addressed and record it."""
    checked = check_upload(data, filename)  # raises FileRejected before anything is stored
    sha256 = store_blob(checked.data)
    display_sha256 = store_blob(checked.display_data) if checked.display_data else ""
    with transaction.atomic():
        attachment = Attachment.objects.create(
            organisation_id=conversation.organisation_id,
            conversation=conversation,
            uploaded_by=user_of(uploaded_by),
            uploaded_by_api_key=api_key_of(uploaded_by),
            uploaded_by_resident=uploaded_by is None,
            filename=checked.filename,
            content_type=checked.content_type,
            size=len(checked.data),
            sha256=sha256,
            display_sha256=display_sha256,
            width=checked.width,
            height=checked.height,
        )
        record_event(
            organisation_id=conversation.organisation_id,
            conversation_id=conversation.pk,
            event_type="attachment.added",
            payload={
                "attachment_id": attachment.pk,
                "sha256": sha256,
                "display_sha256": display_sha256,
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
            },
            actor=actor_ref(uploaded_by, default_kind="resident"),
        )
    return attachment
