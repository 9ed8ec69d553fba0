"""Tamper evidence without gaps (issue 10, finding 6).

An insider with database access (raw SQL, the triggers dropped the way an owner of the
database can) shortens a chain and moves its head back, or rewrites an old event and
recomputes every later hash, or edits a live message row. Each is caught: by the head
triggers, by comparing with the previous verification run, by a signed checkpoint kept
outside the database, or by the cross-check of live rows against the archive. A destruction
permit works only for its own list, in its own transaction.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from balie.archive import chain
from balie.archive.audit import record_read
from balie.archive.checks import check_organisation
from balie.archive.models import (
    ArchiveEvent,
    AuditEntry,
    ChainHead,
    DestructionList,
    DestructionPermit,
    ListStatus,
)
from balie.archive.verification import verify_organisation
from balie.conversations import actions
from balie.conversations.models import Direction, Message
from tests.archive.forging import forged
from tests.factories import send

KEY = "a-key-that-lives-outside-the-database"


@pytest.fixture
def destroyable_list(utrecht, agent_anna):
    """A list approved and being carried out (the state in which its permit may work)."""
    return DestructionList.objects.create(
        organisation=utrecht, title="Lijst", status=ListStatus.APPROVED,
        proposed_by=agent_anna, proposed_at=timezone.now(),
    )  # fmt: skip


def _events(organisation_id):
    return list(ArchiveEvent.objects.filter(organisation_id=organisation_id).order_by("seq"))


def _drop_last_event(organisation_id):
    """(a): delete the newest event and move the head back onto the one before it."""
    *rest, last = _events(organisation_id)
    forged(
        [
            ("DELETE FROM archive_archiveevent WHERE id = %s", [last.pk]),
            (
                "UPDATE archive_chainhead SET last_seq = %s, last_hash = %s "
                "WHERE organisation_id = %s",
                [rest[-1].seq, rest[-1].event_hash, organisation_id],
            ),
        ]
    )


def _drop_last_audit_entry(organisation_id):
    *rest, last = AuditEntry.objects.filter(organisation_id=organisation_id).order_by("seq")
    forged(
        [
            ("DELETE FROM archive_auditentry WHERE id = %s", [last.pk]),
            (
                "UPDATE archive_audithead SET last_seq = %s, last_hash = %s "
                "WHERE organisation_id = %s",
                [rest[-1].seq, rest[-1].entry_hash, organisation_id],
            ),
        ]
    )


def _rewrite_from(organisation_id, seq, body):
    """(b): change an old message's text and recompute every later hash and the head."""
    statements, previous = [], chain.GENESIS
    for event in _events(organisation_id):
        if event.seq == seq:
            event.payload = {**event.payload, "body": body}
        if event.seq >= seq:
            event.payload_hash = chain.payload_hash(event.payload)
            event.previous_hash = previous
            event.event_hash = chain.event_hash(
                organisation_id=organisation_id, seq=event.seq, event_type=event.event_type,
                conversation_id=event.conversation_id, actor_id=event.actor_id,
                api_key_id=event.api_key_id, actor_kind=event.actor_kind,
                created_at=event.created_at, payload_hash=event.payload_hash,
                previous_hash=event.previous_hash,
            )  # fmt: skip
            statements.append(
                (
                    "UPDATE archive_archiveevent SET payload = %s, payload_hash = %s, "
                    "previous_hash = %s, event_hash = %s WHERE id = %s",
                    [
                        json.dumps(event.payload),
                        event.payload_hash,
                        event.previous_hash,
                        event.event_hash,
                        event.pk,
                    ],
                )  # fmt: skip
            )
        previous = event.event_hash
    statements.append(
        (
            "UPDATE archive_chainhead SET last_seq = %s, last_hash = %s WHERE organisation_id = %s",
            [event.seq, previous, organisation_id],
        )
    )
    forged(statements)


def _message_event_seq(conversation, body):
    return next(
        e.seq
        for e in _events(conversation.organisation_id)
        if e.event_type == "message.created" and e.payload.get("body") == body
    )


# (a) and (b) — the chain walk alone cannot see them ------------------------------------------


def test_a_shortened_chain_with_its_head_moved_back_walks_clean(history):
    """Why the rest exists: the walk over the chain is satisfied by a consistent forgery."""
    _drop_last_event(history.organisation_id)
    assert verify_organisation(history.organisation_id)[1] is None


def _read(conversation, actor, times=1):
    for _ in range(times):
        record_read(actor, organisation_id=conversation.organisation_id,
                    action="conversation.read", object_type="conversation",
                    object_id=conversation.pk)  # fmt: skip


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE archive_chainhead SET last_seq = last_seq - 1 WHERE organisation_id = %s",
        "UPDATE archive_chainhead SET last_hash = '{zero}' WHERE organisation_id = %s",
        "DELETE FROM archive_chainhead WHERE organisation_id = %s",
        "UPDATE archive_audithead SET last_seq = last_seq - 1 WHERE organisation_id = %s",
        "UPDATE archive_audithead SET last_hash = '{zero}' WHERE organisation_id = %s",
        "DELETE FROM archive_audithead WHERE organisation_id = %s",
    ],
)
def test_the_database_refuses_moving_a_head_back_or_removing_it(history, agent_anna, sql):
    _read(history, agent_anna)
    organisation_id = history.organisation_id
    with (
        pytest.raises(DatabaseError, match="only grow"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql.replace("{zero}", "0" * 64), [organisation_id])
    assert ChainHead.objects.get(pk=organisation_id).last_seq == len(_events(organisation_id))


def test_a_shortened_chain_is_caught_by_the_next_run(history, agent_anna):
    _read(history, agent_anna, times=3)
    call_command("verify", record=True)
    _drop_last_event(history.organisation_id)
    _drop_last_audit_entry(history.organisation_id)
    result = check_organisation(history.organisation_id)
    assert "shorter" in result.event_break.problem
    assert "shorter" in result.audit_break.problem


def test_rewritten_history_is_caught_by_the_next_run(history):
    call_command("verify", record=True)
    seq = _message_event_seq(history, "Mijn container is niet geleegd")
    _rewrite_from(history.organisation_id, seq, "Alles is in orde")
    assert verify_organisation(history.organisation_id)[1] is None  # the walk is fooled
    found = check_organisation(history.organisation_id).event_break
    assert found is not None and found.seq == len(_events(history.organisation_id))
    assert "previous verification" in found.problem
    # A run that found the break is no new baseline: the next run still reports it.
    assert _verify(record=True) == 1
    assert check_organisation(history.organisation_id).event_break is not None


# Signed checkpoints outside the database -------------------------------------------------------


def _verify(*args, **kwargs):
    try:
        call_command("verify", *args, **kwargs)
    except SystemExit as exit_status:
        return exit_status.code
    return 0


def test_a_checkpoint_catches_shortening_and_rewriting(
    history, agent_anna, settings, tmp_path, capsys
):
    settings.CHECKPOINT_KEY = KEY
    _read(history, agent_anna, times=2)
    checkpoint = tmp_path / "checkpoint.jsonl"
    assert _verify(export_checkpoint=str(checkpoint)) == 0
    line = json.loads(checkpoint.read_text().splitlines()[0])
    assert line["organisation"] == "utrecht" and len(line["hmac"]) == 64
    assert _verify(checkpoint=str(checkpoint)) == 0
    capsys.readouterr()

    send(history, "Nog een vraag")  # growing is fine
    assert _verify(checkpoint=str(checkpoint)) == 0
    seq = _message_event_seq(history, "Mijn container is niet geleegd")
    _rewrite_from(history.organisation_id, seq, "Alles is in orde")
    capsys.readouterr()
    assert _verify(checkpoint=str(checkpoint)) == 1
    assert "does not match the checkpoint" in capsys.readouterr().out


def test_a_checkpoint_catches_a_shortened_audit_log(
    history, agent_anna, settings, tmp_path, capsys
):
    settings.CHECKPOINT_KEY = KEY
    _read(history, agent_anna, times=3)
    checkpoint = tmp_path / "checkpoint.jsonl"
    _verify(export_checkpoint=str(checkpoint))
    _drop_last_audit_entry(history.organisation_id)
    capsys.readouterr()
    assert _verify(checkpoint=str(checkpoint)) == 1
    assert "shorter than at the checkpoint" in capsys.readouterr().out


def test_a_checkpoint_needs_the_key_and_its_signature(history, settings, tmp_path, capsys):
    checkpoint = tmp_path / "checkpoint.jsonl"
    settings.CHECKPOINT_KEY = ""
    with pytest.raises(CommandError, match="BALIE_CHECKPOINT_KEY"):
        call_command("verify", export_checkpoint=str(checkpoint))
    settings.CHECKPOINT_KEY = KEY
    _verify(export_checkpoint=str(checkpoint))
    line = json.loads(checkpoint.read_text())
    line["events"]["seq"] -= 1  # an edited checkpoint
    checkpoint.write_text(json.dumps(line) + "\n")
    capsys.readouterr()
    assert _verify(checkpoint=str(checkpoint)) == 1
    assert "signature" in capsys.readouterr().out
    settings.CHECKPOINT_KEY = "another key"
    _verify(export_checkpoint=str(checkpoint))
    settings.CHECKPOINT_KEY = KEY
    assert _verify(checkpoint=str(checkpoint)) == 1


# (c) live rows against the archive -------------------------------------------------------------


def test_an_edited_live_message_is_caught(history, capsys):
    message = Message.objects.get(conversation=history, body="Mijn container is niet geleegd")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE conversations_message SET body = %s WHERE id = %s",
            ["Mijn container is wel geleegd", message.pk],
        )
    result = check_organisation(history.organisation_id)
    assert f"conversation {history.pk}, message {message.pk}" in result.live_problem
    assert _verify() == 1
    assert "live rows" in capsys.readouterr().out


def test_edits_deletions_and_destruction_are_not_mismatches(history, agent_anna):
    reply = Message.objects.get(conversation=history, body="We kijken ernaar")
    actions.do_edit_message(reply, actor=agent_anna, body="We kijken er morgen naar")
    other = send(history, "Laat maar", direction=Direction.OUTBOUND, author=agent_anna)
    actions.do_delete_message(other, actor=agent_anna)
    assert check_organisation(history.organisation_id).ok


def test_a_removed_or_moved_live_message_is_caught(history, agent_anna):
    message = Message.objects.get(conversation=history, body="We kijken ernaar")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE conversations_message SET author_id = NULL WHERE id = %s",
                       [message.pk])  # fmt: skip
    assert f"message {message.pk}" in check_organisation(history.organisation_id).live_problem
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_entry WHERE message_id = %s", [message.pk])
        cursor.execute("DELETE FROM conversations_message WHERE id = %s", [message.pk])
    assert "missing" in check_organisation(history.organisation_id).live_problem


# Destruction permits: one list, one transaction -------------------------------------------------


def _insert_permit(cursor, list_id=None):
    cursor.execute(
        "INSERT INTO archive_destructionpermit (reason, created_at, destruction_list_id) "
        "VALUES (%s, %s, %s)",
        ["forged", connection.ops.adapt_datetimefield_value(timezone.now()), list_id],
    )


def test_one_insert_into_the_permit_table_no_longer_switches_the_triggers_off(history, capsys):
    event = _events(history.organisation_id)[1]
    with transaction.atomic(), connection.cursor() as cursor:
        _insert_permit(cursor)  # a stray permit, committed
    for sql in (
        "UPDATE archive_archiveevent SET payload = '{}' WHERE id = %s",
        "DELETE FROM archive_archiveevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            _insert_permit(cursor)  # and one more in this transaction
            cursor.execute(sql, [event.pk])
    assert "outlived" in check_organisation(history.organisation_id).permit_problem
    assert _verify() == 1
    assert "permit" in capsys.readouterr().out


def test_a_permit_for_a_list_that_is_not_being_carried_out_is_refused(history):
    event = _events(history.organisation_id)[1]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        _insert_permit(cursor)  # names no list
        cursor.execute("UPDATE archive_archiveevent SET payload = '{}' WHERE id = %s", [event.pk])
    assert not DestructionPermit.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="txid binding is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # two real transactions, not savepoints of one
def test_a_permit_from_an_earlier_transaction_is_refused_on_postgresql(destroyable_list, history):
    """Even naming a list that is being carried out, a committed permit does nothing."""
    event = _events(history.organisation_id)[1]
    with transaction.atomic(), connection.cursor() as cursor:
        _insert_permit(cursor, destroyable_list.pk)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE archive_archiveevent SET payload = '{}' WHERE id = %s", [event.pk])
