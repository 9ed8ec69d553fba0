"""The archive's hash chain: what a records manager and a court rely on.

The database refuses to change or remove events; someone who goes around that (raw SQL
with the triggers dropped) is caught by `balie verify`, at exactly the event they touched.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from balie.archive.models import ArchiveEvent
from balie.archive.verification import verify_organisation
from tests.archive.forging import forged


def _event(conversation, seq):
    return ArchiveEvent.objects.get(organisation_id=conversation.organisation_id, seq=seq)


def _forged(sql, params=()):
    """Raw SQL past the triggers: what an attacker with database access does."""
    forged([(sql, list(params))])


def test_every_change_is_chained_per_organisation(history, groningen_webchat):
    utrecht_events = ArchiveEvent.objects.filter(organisation=history.organisation).order_by("seq")
    seqs = list(utrecht_events.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    first, second = utrecht_events[0], utrecht_events[1]
    assert first.previous_hash == "0" * 64 and second.previous_hash == first.event_hash
    assert verify_organisation(history.organisation_id) == (len(seqs), None)
    # Groningen has a chain of its own, starting at 1.
    groningen_id = groningen_webchat[0].organisation_id
    assert ArchiveEvent.objects.filter(organisation_id=groningen_id).order_by("seq")[0].seq == 1


def test_orm_update_and_delete_are_refused(history):
    event = _event(history, 3)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ArchiveEvent.objects.filter(pk=event.pk).update(payload={"body": "anders"})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.payload = {"body": "anders"}
        event.save()
    event.refresh_from_db()
    assert event.payload["body"] == "Mijn container is niet geleegd"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE archive_archiveevent SET payload = '{}'",
        "DELETE FROM archive_archiveevent",
        "UPDATE archive_archiveevent SET actor_kind = 'system' WHERE seq = 2",
    ],
)
def test_raw_sql_update_and_delete_are_refused(history, sql):
    before = ArchiveEvent.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert ArchiveEvent.objects.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # no deferred constraint checks pending
def test_truncate_is_refused(history):
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("TRUNCATE archive_archiveevent CASCADE")
    assert ArchiveEvent.objects.filter(organisation=history.organisation).exists()


def test_changed_payload_is_reported_at_that_event(history):
    tampered = _event(history, 3)
    _forged(
        "UPDATE archive_archiveevent SET payload = %s WHERE id = %s",
        ['{"body": "Er is niets aan de hand"}', tampered.pk],
    )
    checked, found = verify_organisation(history.organisation_id)
    assert (checked, found.seq, found.event_id) == (2, 3, tampered.pk)
    assert "payload" in found.problem


def test_changed_header_is_reported(history):
    tampered = _event(history, 4)
    _forged("UPDATE archive_archiveevent SET actor_kind = 'system' WHERE id = %s", [tampered.pk])
    _checked, found = verify_organisation(history.organisation_id)
    assert (found.seq, found.event_id) == (4, tampered.pk)
    assert "header" in found.problem


def test_deleted_event_is_reported(history):
    gone = _event(history, 3)
    _forged("DELETE FROM archive_archiveevent WHERE id = %s", [gone.pk])
    _checked, found = verify_organisation(history.organisation_id)
    assert found.seq == 4
    assert "expected seq 3" in found.problem


def test_deleted_last_event_is_reported(history):
    last = ArchiveEvent.objects.filter(organisation=history.organisation).order_by("-seq")[0]
    _forged("DELETE FROM archive_archiveevent WHERE id = %s", [last.pk])
    _checked, found = verify_organisation(history.organisation_id)
    assert found.seq == last.seq and found.event_id is None
    assert "removed" in found.problem


def test_verify_command_prints_the_break_and_fails(history, groningen_webchat, capsys):
    call_command("verify")
    assert "utrecht: OK" in capsys.readouterr().out
    tampered = _event(history, 3)
    _forged("UPDATE archive_archiveevent SET payload = '{}' WHERE id = %s", [tampered.pk])

    with pytest.raises(SystemExit) as exit_status:
        call_command("verify")
    out = capsys.readouterr().out
    assert exit_status.value.code == 1
    assert "utrecht: BROKEN after 2 good events" in out
    assert f"seq 3, id {tampered.pk}" in out
    assert "groningen: OK" in out

    call_command("verify", organisation="groningen")
    assert "groningen: OK" in capsys.readouterr().out
