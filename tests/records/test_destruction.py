"""Destruction: four eyes, holds and Woo requests respected, content gone, chain intact."""

from __future__ import annotations

import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from balie.archive.models import ArchiveEvent, DestructionPermit, ItemStatus, ListStatus
from balie.archive.verification import verify_organisation
from balie.conversations import actions
from balie.conversations.actions.errors import ActionError
from balie.conversations.blobs import blob_name
from balie.conversations.models import Attachment, Conversation, Direction, Message
from balie.records.destruction import (
    do_approve_destruction,
    do_propose_destruction,
    do_reject_destruction,
)
from balie.records.execution import do_execute_destruction
from balie.records.holds import do_place_hold, do_release_hold
from balie.records.permissions import RecordsNotAllowed
from tests.archive.forging import forged
from tests.factories import pdf_document, send
from tests.records.helpers import close_in_the_past

SECRET = "Mijn BSN is 123456782 en ik woon op de Zeldzamestraat"
PDF = pdf_document()


def _conversation_with_content(organisation, agent, *, text=SECRET, pdf=PDF):
    conversation, _ = actions.do_start_webchat(organisation)
    send(conversation, text)
    attachment = actions.do_store_attachment(
        conversation, data=pdf, filename="paspoort.pdf", uploaded_by=agent
    )
    actions.do_send_message(
        conversation, direction=Direction.OUTBOUND, body="Dank u, ontvangen.",
        client_id="reply-1", author=agent, attachment_ids=[attachment.pk],
    )  # fmt: skip
    actions.do_update_details(conversation, actor=agent, subject=f"Over {text[:20]}")
    close_in_the_past(conversation, agent, days=800)
    return conversation, attachment


def _every_text_in_the_database() -> str:
    """Every row of every table, as text: where destroyed content must not appear."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


@pytest.fixture
def destroyed(
    utrecht, utrecht_team, lead_lotte, records_rik, records_roos, django_capture_on_commit_callbacks
):
    """One conversation destroyed through the whole procedure."""
    conversation, attachment = _conversation_with_content(utrecht, lead_lotte)
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Vragen 2024"
    )
    do_approve_destruction(proposed, actor=records_roos, note="Gecontroleerd")
    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        done = do_execute_destruction(proposed.pk)
    done.refresh_from_db()
    return done, conversation, attachment


def test_destruction_leaves_no_text_no_file_and_a_chain_that_verifies(destroyed, utrecht):
    done, conversation, attachment = destroyed
    assert done.status == ListStatus.DESTROYED
    assert (done.conversations_destroyed, done.messages_destroyed) == (1, 3)
    assert done.attachments_destroyed == 1
    assert done.record_classes == [{"code": "KCC-VRAAG", "name": "Algemene vragen en informatie",
                                    "retention": "P1Y", "conversations": 1}]  # fmt: skip

    everything = _every_text_in_the_database()
    for fragment in ("123456782", "Zeldzamestraat", "paspoort.pdf", "Dank u, ontvangen"):
        assert fragment not in everything
    assert not default_storage.exists(blob_name(attachment.sha256))
    assert (done.files_removed, done.files_pending) == (1, [])
    assert not Message.objects.filter(conversation=conversation).exists()
    assert not Attachment.objects.filter(conversation=conversation).exists()

    conversation.refresh_from_db()
    assert conversation.destroyed_at is not None and conversation.subject == ""
    emptied = ArchiveEvent.objects.filter(conversation_id=conversation.pk)
    assert emptied.count() == done.events_emptied > 0
    assert {tuple(e.payload.items()) for e in emptied} == {(("destroyed_by", done.pk),)}
    assert verify_organisation(utrecht.pk) == (ArchiveEvent.objects.filter(
        organisation=utrecht).count(), None)  # fmt: skip
    call_command("verify", organisation="utrecht")  # exits 0 (SystemExit otherwise)
    assert not DestructionPermit.objects.exists()


def test_the_destruction_record_is_in_the_chain(destroyed, utrecht, records_rik, records_roos):
    done, conversation, _ = destroyed
    event = ArchiveEvent.objects.get(event_type="destruction.executed")
    assert event.payload["conversations"] == [conversation.pk]
    assert event.payload["proposed_by"] == records_rik.pk
    assert event.payload["approved_by"] == records_roos.pk
    assert done.proposed_by == records_rik and done.reviewed_by == records_roos


def test_an_emptied_payload_that_no_destruction_covers_is_reported(destroyed, utrecht, webchat):
    done, _, _ = destroyed
    other, _ = webchat
    send(other, "Nog een vraag")
    event = ArchiveEvent.objects.filter(conversation_id=other.pk).last()
    forged(
        [
            (
                "UPDATE archive_archiveevent SET payload = %s WHERE id = %s",
                [json.dumps({"destroyed_by": done.pk}), event.pk],
            )
        ]
    )
    _, found = verify_organisation(utrecht.pk)
    assert found is not None and found.event_id == event.pk
    assert "did not destroy this conversation" in found.problem


def test_the_proposer_cannot_approve(utrecht, lead_lotte, records_rik):
    conversation, _ = _conversation_with_content(utrecht, lead_lotte)
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Lijst"
    )
    with pytest.raises(ActionError, match="vier ogen") as refused:
        do_approve_destruction(proposed, actor=records_rik)
    assert refused.value.code == "four_eyes"
    with pytest.raises(ActionError, match="vier ogen"):
        do_reject_destruction(proposed, actor=records_rik, note="toch niet")
    proposed.refresh_from_db()
    assert proposed.status == ListStatus.PROPOSED
    with pytest.raises(ActionError, match="niet goedgekeurd"):
        do_execute_destruction(proposed.pk)
    assert Message.objects.filter(conversation=conversation).exists()


def test_only_records_managers_propose_and_approve(
    utrecht, lead_lotte, woo_wim, auditor_aziz, agent_anna, records_rik
):
    conversation, _ = _conversation_with_content(utrecht, lead_lotte)
    for person in (woo_wim, auditor_aziz, agent_anna, lead_lotte):
        with pytest.raises(RecordsNotAllowed):
            do_propose_destruction(
                utrecht.pk, actor=person, conversation_ids=[conversation.pk], title="Lijst"
            )
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Lijst"
    )
    with pytest.raises(RecordsNotAllowed):
        do_approve_destruction(proposed, actor=woo_wim)


def test_a_rejected_list_destroys_nothing(utrecht, lead_lotte, records_rik, records_roos):
    conversation, _ = _conversation_with_content(utrecht, lead_lotte)
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Lijst"
    )
    with pytest.raises(ActionError, match="waarom"):
        do_reject_destruction(proposed, actor=records_roos, note="  ")
    do_reject_destruction(proposed, actor=records_roos, note="Zaak loopt nog")
    with pytest.raises(ActionError, match="niet goedgekeurd"):
        do_execute_destruction(proposed.pk)
    assert Message.objects.filter(conversation=conversation, body=SECRET).exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"conversation_ids": [], "title": "Leeg"}, "empty_list"),
        ({"conversation_ids": ["x"], "title": "Lijst"}, "invalid_field"),
        ({"conversation_ids": [10**9], "title": "Lijst"}, "not_found"),
        ({"conversation_ids": "OPEN", "title": ""}, "invalid_field"),
    ],
)
def test_bad_proposals_are_refused(utrecht, records_rik, kwargs, code):
    with pytest.raises(ActionError) as refused:
        do_propose_destruction(utrecht.pk, actor=records_rik, **kwargs)
    assert refused.value.code == code


def test_what_is_not_due_or_of_another_organisation_cannot_be_listed(
    utrecht, groningen, webchat, groningen_webchat, lead_lotte, agent_gerrit, records_rik
):
    conversation, _ = webchat
    with pytest.raises(ActionError) as refused:
        do_propose_destruction(
            utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Lijst"
        )
    assert refused.value.code == "not_due"
    foreign, _ = groningen_webchat
    close_in_the_past(foreign, agent_gerrit, days=900)
    with pytest.raises(ActionError) as refused:
        do_propose_destruction(
            utrecht.pk, actor=records_rik, conversation_ids=[foreign.pk], title="Lijst"
        )
    assert refused.value.code == "not_found"


def test_a_conversation_is_on_one_open_list_at_a_time(utrecht, lead_lotte, records_rik):
    conversation, _ = _conversation_with_content(utrecht, lead_lotte)
    ids = [conversation.pk]
    do_propose_destruction(utrecht.pk, actor=records_rik, conversation_ids=ids, title="Eén")
    with pytest.raises(ActionError) as refused:
        do_propose_destruction(utrecht.pk, actor=records_rik, conversation_ids=ids, title="Twee")
    assert refused.value.code == "already_listed"


def test_held_and_woo_covered_records_are_not_destroyed_and_say_why(
    utrecht, lead_lotte, woo_wim, records_rik, records_roos
):
    kept_by_hold, _ = _conversation_with_content(utrecht, lead_lotte, text="Zaak één")
    kept_by_woo, _ = _conversation_with_content(utrecht, lead_lotte, text="Zaak twee")
    destroyed, _ = _conversation_with_content(utrecht, lead_lotte, text="Zaak drie")
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, title="Lijst",
        conversation_ids=[kept_by_hold.pk, kept_by_woo.pk, destroyed.pk],
    )  # fmt: skip
    do_approve_destruction(proposed, actor=records_roos)
    # Holds placed after the approval still count: execution checks again.
    do_place_hold(utrecht.pk, actor=records_rik, kind="legal", scope="conversation",
                  target_id=kept_by_hold.pk, reference="ZAAK-7", reason="Rechtszaak")  # fmt: skip
    do_place_hold(utrecht.pk, actor=woo_wim, kind="woo", scope="contact",
                  target_id=kept_by_woo.contact_id, reference="WOO-2026-014",
                  reason="Verzoek over deze inwoner")  # fmt: skip
    done = do_execute_destruction(proposed.pk)

    assert (done.conversations_destroyed, done.conversations_blocked) == (1, 2)
    items = {item.conversation_id: item for item in done.items.all()}
    assert items[kept_by_hold.pk].status == ItemStatus.BLOCKED
    assert "ZAAK-7" in items[kept_by_hold.pk].blocked_reason
    assert "Lopend Woo-verzoek WOO-2026-014" in items[kept_by_woo.pk].blocked_reason
    assert items[destroyed.pk].status == ItemStatus.DESTROYED
    assert Message.objects.filter(conversation=kept_by_hold, body="Zaak één").exists()
    assert Message.objects.filter(conversation=kept_by_woo, body="Zaak twee").exists()
    assert not Message.objects.filter(conversation=destroyed).exists()
    kept_by_woo.contact.refresh_from_db()
    assert verify_organisation(utrecht.pk)[1] is None


def test_held_records_cannot_be_proposed_until_the_hold_is_released(
    utrecht, lead_lotte, records_rik
):
    conversation, _ = _conversation_with_content(utrecht, lead_lotte)
    hold = do_place_hold(
        utrecht.pk, actor=records_rik, kind="legal", scope="conversation",
        target_id=conversation.pk, reference="ZAAK-1", reason="Bezwaar",
    )  # fmt: skip
    with pytest.raises(ActionError, match="ZAAK-1") as refused:
        do_propose_destruction(
            utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Lijst"
        )
    assert refused.value.code == "held"
    do_release_hold(hold, actor=records_rik, reason="Bezwaar afgehandeld")
    assert do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Lijst"
    )


def test_holds_are_placed_by_the_right_roles_on_their_own_organisation(
    utrecht, groningen, webchat, groningen_webchat, agent_anna, auditor_aziz, records_rik
):
    conversation, _ = webchat
    foreign, _ = groningen_webchat
    for person in (agent_anna, auditor_aziz):
        with pytest.raises(RecordsNotAllowed):
            do_place_hold(utrecht.pk, actor=person, kind="legal", scope="conversation",
                          target_id=conversation.pk, reference="Z", reason="r")  # fmt: skip
    with pytest.raises(ActionError, match="bestaat niet"):
        do_place_hold(utrecht.pk, actor=records_rik, kind="legal", scope="conversation",
                      target_id=foreign.pk, reference="Z", reason="r")  # fmt: skip
    with pytest.raises(ActionError, match="reason is verplicht"):
        do_place_hold(utrecht.pk, actor=records_rik, kind="legal", scope="conversation",
                      target_id=conversation.pk, reference="Z", reason=" ")  # fmt: skip
    with pytest.raises(ActionError, match="kind"):
        do_place_hold(utrecht.pk, actor=records_rik, kind="forever", scope="conversation",
                      target_id=conversation.pk, reference="Z", reason="r")  # fmt: skip


def test_a_file_still_used_by_another_conversation_stays(
    utrecht, lead_lotte, records_rik, records_roos
):
    doomed, attachment = _conversation_with_content(utrecht, lead_lotte)
    kept, _ = actions.do_start_webchat(utrecht)
    actions.do_store_attachment(kept, data=PDF, filename="zelfde.pdf")  # the same bytes
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[doomed.pk], title="Lijst"
    )
    do_approve_destruction(proposed, actor=records_roos)
    done = do_execute_destruction(proposed.pk)
    assert done.files_pending == [] and done.files_removed == 0
    assert default_storage.exists(blob_name(attachment.sha256))


def test_executing_twice_changes_nothing(destroyed, utrecht):
    done, _, _ = destroyed
    events = ArchiveEvent.objects.count()
    again = do_execute_destruction(done.pk)
    assert again.status == ListStatus.DESTROYED
    assert ArchiveEvent.objects.count() == events


def test_approval_enqueues_the_execution(utrecht, lead_lotte, records_rik, records_roos,
                                         django_capture_on_commit_callbacks):  # fmt: skip
    from django_tasks_db.models import DBTaskResult

    conversation, _ = _conversation_with_content(utrecht, lead_lotte)
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Lijst"
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_approve_destruction(proposed, actor=records_roos)
    task = DBTaskResult.objects.get()
    assert task.task_path == "balie.records.tasks.execute_destruction_list"
    assert task.args_kwargs["args"] == [proposed.pk]
    assert Conversation.objects.get(pk=conversation.pk).destroyed_at is None  # not yet run


@pytest.mark.django_db(transaction=True)
def test_no_destroyed_text_remains_in_the_sqlite_file(
    utrecht, utrecht_team, lead_lotte, records_rik, records_roos
):
    """secure_delete and a checkpoint: the bytes are gone from the file, not only the tables."""
    if connection.vendor != "sqlite":
        pytest.skip("the file check is SQLite's; PostgreSQL reclaims rows by (auto)vacuum")
    unique = "Vlinderbloemkwekerij-4711"
    conversation, _ = _conversation_with_content(utrecht, lead_lotte, text=unique)
    path = connection.settings_dict["NAME"]

    def on_disk() -> bool:
        found = False
        for name in (path, f"{path}-wal"):
            try:
                with open(name, "rb") as file:
                    found |= unique.encode() in file.read()
            except FileNotFoundError:
                pass
        return found

    assert on_disk()
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[conversation.pk], title="Lijst"
    )
    do_approve_destruction(proposed, actor=records_roos)
    do_execute_destruction(proposed.pk)
    assert not on_disk()


def test_a_hold_on_a_saved_search_covers_what_it_finds_at_execution(
    utrecht, lead_lotte, agent_bram, records_rik, records_roos
):
    from balie.search.actions import do_delete_saved_search, do_save_search

    found, _ = _conversation_with_content(utrecht, lead_lotte, text="Klacht over de kermis")
    other, _ = _conversation_with_content(utrecht, lead_lotte, text="Vraag over de markt")
    # Saved by an agent without a team: the hold still covers the whole organisation.
    saved = do_save_search(agent_bram, utrecht, name="Kermis", query="kermis", filters={})
    proposed = do_propose_destruction(
        utrecht.pk, actor=records_rik, conversation_ids=[found.pk, other.pk], title="Lijst"
    )
    do_approve_destruction(proposed, actor=records_roos)
    hold = do_place_hold(
        utrecht.pk, actor=records_rik, kind="legal", scope="saved_search", target_id=saved.pk,
        reference="ZAAK-KERMIS", reason="Aansprakelijkheid kermis",
    )  # fmt: skip
    with pytest.raises(ActionError) as refused:
        do_delete_saved_search(saved)
    assert refused.value.code == "held"
    done = do_execute_destruction(proposed.pk)
    items = {item.conversation_id: item for item in done.items.all()}
    assert items[found.pk].status == ItemStatus.BLOCKED
    assert "ZAAK-KERMIS" in items[found.pk].blocked_reason
    assert items[other.pk].status == ItemStatus.DESTROYED
    do_release_hold(hold, actor=records_rik, reason="Afgehandeld")
    do_delete_saved_search(saved)
