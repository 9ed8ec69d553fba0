"""Record classes, retention terms and the daily list of what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from balie.archive.models import ArchiveEvent, RecordClass, RetentionReview
from balie.conversations import actions
from balie.conversations.actions.errors import ActionError
from balie.conversations.models import Conversation
from balie.records.permissions import RecordsNotAllowed
from balie.records.record_classes import do_save_record_class, do_set_record_class
from balie.records.retention import due_conversations, is_due
from balie.records.tasks import review_retention
from balie.records.terms import Retention
from tests.records.helpers import close_in_the_past


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P1Y", Retention(years=1)),
        ("p10y", Retention(years=10)),
        ("P6M", Retention(months=6)),
        ("P1Y6M", Retention(years=1, months=6)),
        ("P2W", Retention(days=14)),
        ("P30D", Retention(days=30)),
    ],
)
def test_retention_terms_are_iso_8601_durations(text, expected):
    assert Retention.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 jaar", "geen ISO 8601-duur"),
        ("PT5H", "geen ISO 8601-duur"),
        ("P", "nul"),
        ("P0D", "nul"),
        ("P500Y", "Langer dan 200 jaar"),
        (None, "geen ISO 8601-duur"),
        ("P1Y" * 10, "geen ISO 8601-duur"),
    ],
)
def test_bad_retention_terms_are_refused_with_a_reason(text, message):
    with pytest.raises(ActionError, match=message):
        Retention.parse(text)


def test_terms_are_added_by_the_calendar():
    end_of_january = datetime(2024, 1, 31, 12, tzinfo=UTC)
    assert Retention.parse("P1M").after(end_of_january) == datetime(2024, 2, 29, 12, tzinfo=UTC)
    assert Retention.parse("P1Y").after(datetime(2024, 2, 29, tzinfo=UTC)) == datetime(
        2025, 2, 28, tzinfo=UTC
    )
    assert Retention.parse("P10Y").before(end_of_january) == datetime(2014, 1, 31, 12, tzinfo=UTC)


def test_a_new_organisation_starts_with_the_documented_classes(utrecht):
    classes = {c.code: c for c in RecordClass.objects.for_organisation(utrecht)}
    assert set(classes) == {"KCC-VRAAG", "KCC-MELDING", "KCC-AANVRAAG", "KCC-KLACHT", "BESTUUR"}
    assert classes["KCC-VRAAG"].is_default
    assert classes["BESTUUR"].waardering == "bewaren"


def test_a_web_chat_gets_its_team_class_else_the_channel_class_else_the_default(
    utrecht, utrecht_team, records_rik
):
    default = RecordClass.objects.get(organisation=utrecht, is_default=True)
    assert actions.do_start_webchat(utrecht)[0].record_class == default

    complaints = RecordClass.objects.get(organisation=utrecht, code="KCC-KLACHT")
    do_save_record_class(utrecht.pk, actor=records_rik, record_class=complaints,
                         channels=["webchat"])  # fmt: skip
    assert actions.do_start_webchat(utrecht)[0].record_class == complaints

    permits = RecordClass.objects.get(organisation=utrecht, code="KCC-AANVRAAG")
    utrecht_team.record_class = permits
    utrecht_team.save()
    assert actions.do_start_webchat(utrecht)[0].record_class == permits


def test_moving_to_another_team_follows_its_class_unless_a_person_chose(
    webchat, utrecht, lead_lotte
):
    conversation, _ = webchat
    permits = RecordClass.objects.get(organisation=utrecht, code="KCC-AANVRAAG")
    other_team = actions.do_create_team(utrecht, name="Vergunningen")
    other_team.record_class = permits
    other_team.save()
    actions.do_assign(conversation, actor=lead_lotte, team=other_team, change_team=True)
    conversation.refresh_from_db()
    assert conversation.record_class == permits

    complaints = RecordClass.objects.get(organisation=utrecht, code="KCC-KLACHT")
    do_set_record_class(conversation, actor=lead_lotte, record_class_id=complaints.pk)
    actions.do_assign(conversation, actor=lead_lotte, team=None, change_team=True)
    conversation.refresh_from_db()
    assert conversation.record_class == complaints
    assert ArchiveEvent.objects.filter(event_type="conversation.record_class_changed").exists()


def test_a_class_of_another_organisation_cannot_be_chosen(webchat, groningen, lead_lotte):
    conversation, _ = webchat
    foreign = RecordClass.objects.filter(organisation=groningen).first()
    with pytest.raises(ActionError, match="bestaat niet bij deze organisatie"):
        do_set_record_class(conversation, actor=lead_lotte, record_class_id=foreign.pk)


def test_closing_sets_the_closing_date_and_reopening_is_impossible(webchat, lead_lotte):
    conversation, _ = webchat
    assert conversation.closed_at is None
    actions.do_change_status(conversation, actor=lead_lotte, status="closed")
    conversation.refresh_from_db()
    assert conversation.closed_at is not None


def test_due_means_closed_and_past_the_term_of_a_class_that_is_destroyed(
    webchat, utrecht, lead_lotte
):
    conversation, _ = webchat
    assert due_conversations(utrecht.pk) == []  # open: never due
    close_in_the_past(conversation, lead_lotte, days=200)
    assert due_conversations(utrecht.pk) == []  # P1Y not over yet
    Conversation.objects.filter(pk=conversation.pk).update(
        closed_at=timezone.now() - timedelta(days=367)
    )
    (due,) = due_conversations(utrecht.pk)
    assert due.conversation.pk == conversation.pk
    assert due.record_class.code == "KCC-VRAAG"

    keep = RecordClass.objects.get(organisation=utrecht, code="BESTUUR")
    Conversation.objects.filter(pk=conversation.pk).update(record_class=keep)
    conversation.refresh_from_db()
    assert due_conversations(utrecht.pk) == []  # bewaren: never destroyed
    assert is_due(conversation) is None


def test_only_records_managers_and_administrators_change_classes(
    utrecht, agent_anna, woo_wim, records_rik
):
    vraag = RecordClass.objects.get(organisation=utrecht, code="KCC-VRAAG")
    for person in (agent_anna, woo_wim):
        with pytest.raises(RecordsNotAllowed):
            do_save_record_class(utrecht.pk, actor=person, record_class=vraag, retention="P2Y")
    saved = do_save_record_class(utrecht.pk, actor=records_rik, record_class=vraag, retention="p2y")
    assert saved.retention == "P2Y"
    event = ArchiveEvent.objects.filter(event_type="record_class.saved").last()
    assert event.payload["before"]["retention"] == "P1Y"
    assert event.payload["after"]["retention"] == "P2Y"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "KCC-KLACHT", "name": "Dubbel", "retention": "P1Y"}, "al een categorie"),
        ({"code": "NEW", "name": "Nieuw", "retention": "één jaar"}, "ISO 8601"),
        ({"code": "NEW", "name": "Nieuw", "retention": "P1Y", "trigger": "x"}, "trigger"),
        ({"code": "NEW", "name": "Nieuw", "retention": "P1Y", "colour": "red"}, "Onbekend veld"),
        ({"code": "NEW", "retention": "P1Y"}, "Verplicht: name"),
        ({"code": "NEW", "name": "N", "retention": "P1Y", "channels": ["fax"]}, "channels"),
        ({"code": "X" * 21, "name": "N", "retention": "P1Y"}, "te lang"),
    ],
)
def test_bad_record_classes_are_refused(utrecht, records_rik, fields, message):
    with pytest.raises(ActionError, match=message):
        do_save_record_class(utrecht.pk, actor=records_rik, **fields)


def test_one_default_class_per_organisation(utrecht, records_rik):
    new = do_save_record_class(
        utrecht.pk, actor=records_rik, code="NIEUW", name="Nieuw", retention="P3Y",
        is_default=True,
    )  # fmt: skip
    assert list(RecordClass.objects.filter(organisation=utrecht, is_default=True)) == [new]


def test_the_daily_review_counts_what_is_due_and_what_is_held(
    webchat, utrecht, groningen, lead_lotte, records_rik
):
    from balie.records.holds import do_place_hold

    conversation, _ = webchat
    second, _ = actions.do_start_webchat(utrecht)
    for each in (conversation, second):
        close_in_the_past(each, lead_lotte, days=400)
    do_place_hold(utrecht.pk, actor=records_rik, kind="woo", scope="conversation",
                  target_id=second.pk, reference="WOO-2026-1", reason="Woo-verzoek")  # fmt: skip
    outcome = review_retention.call()
    assert outcome == {"groningen": 0, "utrecht": 2}
    review = RetentionReview.objects.get(organisation=utrecht)
    assert (review.due, review.held) == (2, 1)
    assert review.by_class == [{"code": "KCC-VRAAG", "name": "Algemene vragen en informatie",
                                "due": 2, "held": 1}]  # fmt: skip


def test_only_handlers_and_records_managers_choose_a_conversations_class(
    webchat, utrecht, woo_wim, auditor_aziz, records_rik
):
    conversation, _ = webchat
    complaints = RecordClass.objects.get(organisation=utrecht, code="KCC-KLACHT")
    for person in (woo_wim, auditor_aziz):
        with pytest.raises(RecordsNotAllowed):
            do_set_record_class(conversation, actor=person, record_class_id=complaints.pk)
    do_set_record_class(conversation, actor=records_rik, record_class_id=complaints.pk)
    assert Conversation.objects.get(pk=conversation.pk).record_class == complaints
