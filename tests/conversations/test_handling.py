"""Assignment, status, details: each change is archived and validated."""

from __future__ import annotations

import pytest

from balie.archive.models import ArchiveEvent
from balie.conversations import actions
from balie.conversations.models import Direction, Message
from balie.errors import BalieError


def test_assign_records_event_and_staff_only_system_line(webchat, lead_lotte, agent_anna):
    conversation, _token = webchat
    conversation = actions.do_assign(conversation, actor=lead_lotte, assignee=agent_anna)
    assert conversation.assignee == agent_anna
    event = ArchiveEvent.objects.get(event_type="conversation.assigned")
    assert event.payload["assignee"] == agent_anna.pk and event.actor == lead_lotte
    line = Message.objects.get(conversation=conversation)
    assert line.direction == Direction.SYSTEM and "Anna" in line.body


def test_cannot_assign_to_staff_of_another_municipality(webchat, lead_lotte, agent_gerrit):
    conversation, _token = webchat
    with pytest.raises(BalieError) as error:
        actions.do_assign(conversation, actor=lead_lotte, assignee=agent_gerrit)
    assert error.value.code == "invalid_assignee"


def test_cannot_move_to_a_team_of_another_municipality(webchat, lead_lotte, groningen_team):
    conversation, _token = webchat
    with pytest.raises(BalieError) as error:
        actions.do_assign(conversation, actor=lead_lotte, team=groningen_team, change_team=True)
    assert error.value.code == "invalid_team"


@pytest.mark.parametrize(
    ("path", "code"),
    [(["bogus"], "invalid_status"), (["closed", "open"], "invalid_transition")],
)
def test_status_changes_follow_the_lifecycle(webchat, agent_anna, path, code):
    conversation, _token = webchat
    with pytest.raises(BalieError) as error:
        for status in path:
            conversation = actions.do_change_status(conversation, actor=agent_anna, status=status)
    assert error.value.code == code


def test_status_lifecycle_open_pending_resolved_closed(webchat, agent_anna):
    conversation, _token = webchat
    for status in ["pending", "resolved", "closed"]:
        conversation = actions.do_change_status(conversation, actor=agent_anna, status=status)
    changes = ArchiveEvent.objects.filter(event_type="conversation.status_changed")
    assert [(e.payload["from"], e.payload["to"]) for e in changes] == [
        ("open", "pending"),
        ("pending", "resolved"),
        ("resolved", "closed"),
    ]


def test_details_subject_case_reference_and_labels(webchat, agent_anna):
    conversation, _token = webchat
    conversation = actions.do_update_details(
        conversation,
        actor=agent_anna,
        subject="  Paspoort   kwijt ",
        case_reference="Z-2026-0042",
        labels=["paspoort", "spoed", "paspoort"],
    )
    assert conversation.subject == "Paspoort kwijt"
    assert conversation.case_reference == "Z-2026-0042"
    assert sorted(conversation.labels.values_list("name", flat=True)) == ["paspoort", "spoed"]
    event = ArchiveEvent.objects.get(event_type="conversation.details_changed")
    assert event.payload["labels"] == ["paspoort", "spoed"]


@pytest.mark.parametrize(
    "kwargs",
    [{"subject": 12}, {"subject": "x" * 201}, {"labels": "spoed"}, {"labels": [1]}],
)
def test_details_refuse_bad_input_and_store_nothing(webchat, agent_anna, kwargs):
    conversation, _token = webchat
    before = ArchiveEvent.objects.count()
    with pytest.raises(actions.ActionError):
        actions.do_update_details(conversation, actor=agent_anna, **kwargs)
    assert ArchiveEvent.objects.count() == before


def test_cannot_assign_to_someone_who_does_not_handle_conversations(
    webchat, lead_lotte, auditor_aziz
):
    conversation, _token = webchat
    with pytest.raises(BalieError) as error:
        actions.do_assign(conversation, actor=lead_lotte, assignee=auditor_aziz)
    assert error.value.code == "invalid_assignee"
