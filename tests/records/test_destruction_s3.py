"""Destruction with the files in an S3-compatible bucket: the objects go too, and a store
that is down keeps them pending for the daily retry instead of failing the destruction."""

from __future__ import annotations

from balie.conversations.blobs import blob_name
from balie.records.destruction import do_approve_destruction, do_propose_destruction
from balie.records.execution import do_execute_destruction, do_remove_destroyed_files
from tests.fakes.s3 import switch_to_s3
from tests.records.test_destruction import _conversation_with_content


def _approved(utrecht, lead_lotte, records_rik, records_roos):
    conversation, attachment = _conversation_with_content(utrecht, lead_lotte)
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Vragen 2024"
    )
    do_approve_destruction(proposed, actor=records_roos, note="Gecontroleerd")
    return proposed, attachment


def test_destruction_deletes_the_object_from_the_bucket(
    utrecht, utrecht_team, lead_lotte, records_rik, records_roos, s3_storage,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    proposed, attachment = _approved(utrecht, lead_lotte, records_rik, records_roos)
    assert s3_storage.keys() == [s3_storage.prefix + blob_name(attachment.sha256)]

    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        done = do_execute_destruction(proposed.pk)

    done.refresh_from_db()
    assert (done.files_removed, done.files_pending) == (1, [])
    assert s3_storage.keys() == []


def test_a_store_that_is_down_keeps_the_file_pending_until_it_is_back(
    utrecht, utrecht_team, lead_lotte, records_rik, records_roos, s3_storage, s3_server,
    settings, django_capture_on_commit_callbacks,
):  # fmt: skip
    proposed, attachment = _approved(utrecht, lead_lotte, records_rik, records_roos)
    reachable = s3_server.options(s3_storage.prefix)
    down = s3_server.options(
        s3_storage.prefix, endpoint_url="http://127.0.0.1:9", connect_timeout=1, max_attempts=1
    )
    switch_to_s3(settings, down)

    with django_capture_on_commit_callbacks(execute=True):
        done = do_execute_destruction(proposed.pk)

    done.refresh_from_db()
    assert done.files_pending == [attachment.sha256] and done.files_removed == 0
    assert s3_storage.keys() == [s3_storage.prefix + blob_name(attachment.sha256)]

    switch_to_s3(settings, reachable)
    assert do_remove_destroyed_files(proposed.pk) == 1
    done.refresh_from_db()
    assert (done.files_removed, done.files_pending) == (1, [])
    assert s3_storage.keys() == []
