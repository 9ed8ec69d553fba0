"""The daily job removes uploads never sent with a message once they are old enough: the row
and the file, with an archive event; sent files, young ones and shared bytes stay."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from balie.archive.models import ArchiveEvent
from balie.archive.verification import check_live_rows, verify_organisation
from balie.conversations import actions
from balie.conversations.blobs import blob_name
from balie.conversations.models import Attachment, Direction
from balie.conversations.tasks import remove_unsent_uploads
from balie.records.holds import do_place_hold, do_release_hold
from tests.api.helpers import png_bytes

pytestmark = pytest.mark.django_db


def uploaded(conversation, data, *, hours_ago=0):
    attachment = actions.do_store_attachment(conversation, data=data, filename="foto.png")
    Attachment.objects.filter(pk=attachment.pk).update(
        created_at=timezone.now() - timedelta(hours=hours_ago)
    )
    return attachment


def send_with(conversation, attachment):
    actions.do_send_message(
        conversation,
        direction=Direction.INBOUND,
        body="",
        client_id=uuid.uuid4().hex,
        attachment_ids=[attachment.pk],
    )


def on_disk(attachment) -> bool:
    return default_storage.exists(blob_name(attachment.sha256))


def test_old_unsent_uploads_go_and_sent_and_young_ones_stay(
    webchat, settings, django_capture_on_commit_callbacks
):
    settings.UNSENT_UPLOADS_MAX_AGE_HOURS = 24
    conversation, _token = webchat
    old_unsent = uploaded(conversation, png_bytes(1, 1), hours_ago=25)
    young_unsent = uploaded(conversation, png_bytes(1, 2), hours_ago=23)
    old_sent = uploaded(conversation, png_bytes(1, 3), hours_ago=48)
    send_with(conversation, old_sent)

    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        assert remove_unsent_uploads.call() == 1

    assert set(Attachment.objects.values_list("pk", flat=True)) == {young_unsent.pk, old_sent.pk}
    assert not on_disk(old_unsent)
    assert on_disk(young_unsent) and on_disk(old_sent)
    removed = ArchiveEvent.objects.get(event_type="attachment.removed")
    assert removed.conversation_id == conversation.pk and removed.actor_kind == "system"
    assert removed.payload == {"attachment_id": old_unsent.pk, "reason": "unsent"}
    assert verify_organisation(conversation.organisation_id)[1] is None
    assert check_live_rows(conversation.organisation_id) is None


def test_bytes_still_used_by_a_sent_file_stay_on_disk(
    webchat, groningen_webchat, django_capture_on_commit_callbacks
):
    conversation, _token = webchat
    same = png_bytes(2, 2)
    old_unsent = uploaded(conversation, same, hours_ago=30)
    sent_elsewhere = uploaded(groningen_webchat[0], same)  # the same bytes, stored once
    send_with(groningen_webchat[0], sent_elsewhere)

    with django_capture_on_commit_callbacks(execute=True):
        assert remove_unsent_uploads.call() == 1

    assert not Attachment.objects.filter(pk=old_unsent.pk).exists()
    assert on_disk(sent_elsewhere)


def test_nothing_to_remove_records_nothing(webchat):
    conversation, _token = webchat
    uploaded(conversation, png_bytes(), hours_ago=1)
    before = ArchiveEvent.objects.count()

    assert remove_unsent_uploads.call() == 0
    assert ArchiveEvent.objects.count() == before


def test_a_held_conversation_keeps_its_unsent_uploads(webchat, records_rik):
    conversation, _token = webchat
    held = uploaded(conversation, png_bytes(3, 3), hours_ago=30)
    hold = do_place_hold(conversation.organisation_id, actor=records_rik, kind="legal",
                         scope="conversation", target_id=conversation.pk, reference="ZAAK-7",
                         reason="Rechtszaak")  # fmt: skip

    assert remove_unsent_uploads.call() == 0
    assert Attachment.objects.filter(pk=held.pk).exists()

    do_release_hold(hold, actor=records_rik, reason="Zaak afgerond")
    assert remove_unsent_uploads.call() == 1
