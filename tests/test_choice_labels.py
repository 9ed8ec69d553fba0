"""The labels of the models' choices read in the reader's language: Dutch by default, English
on request. The stored values never change; only the labels are translated (gettext_lazy,
English msgids, docs/i18n.md)."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from balie.accounts.models import ApiScope, Role
from balie.archive.models import HoldKind, ListStatus, Waardering
from balie.conversations import actions
from balie.conversations.actions import StateConflict
from balie.conversations.models import Channel, DeliveryStatus, Direction, Message, Status
from balie.imports.selection import ChatSummary, Context, propose
from tests.imports.helpers import msg

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.fixture(autouse=True)
def _no_language_left_active():
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.mark.parametrize(
    ("label", "dutch", "english"),
    [
        (Status.PENDING.label, "Wacht op inwoner", "Waiting for resident"),
        (Status.CLOSED.label, "Gesloten", "Closed"),
        (Channel.EMAIL.label, "E-mail", "Email"),
        (Direction.NOTE.label, "Interne notitie", "Internal note"),
        (DeliveryStatus.SENT.label, "Verzonden", "Sent"),
        (Role.WOO_OFFICER.label, "Woo-coördinator", "Woo coordinator"),
        (HoldKind.WOO.label, "Lopend Woo-verzoek", "Open Woo request"),
        (ListStatus.APPROVED.label, "Goedgekeurd, wordt uitgevoerd", "Approved, being carried out"),
        (Waardering.KEEP.label, "Blijvend bewaren", "Keep permanently"),
        (ApiScope.CONTACTS_READ.label, "Contactpersonen lezen", "Read contacts"),
    ],
)
def test_a_label_reads_dutch_by_default_and_english_when_asked(label, dutch, english):
    assert str(label) == dutch
    with translation.override("en"):
        assert str(label) == english
    with translation.override("nl"):
        assert str(label) == dutch


def test_the_stored_values_stay_as_they_were():
    assert Status.PENDING == "pending"
    assert Channel.EMAIL == "email"
    assert Waardering.KEEP == "bewaren"
    assert Role.RECORDS_MANAGER == "records_manager"


@pytest.mark.django_db
def test_get_display_follows_the_language(webchat):
    conversation, _token = webchat

    assert conversation.get_status_display() == "Open"
    assert conversation.get_channel_display() == "Webchat"
    with translation.override("en"):
        assert conversation.get_channel_display() == "Web chat"


def _choice_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("balie."):
            continue
        for field in model._meta.get_fields():
            if getattr(field, "choices", None) and not field.auto_created:
                yield model, field


def _catalogue_keys(language: str) -> dict[tuple[str | None, str], str]:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    return {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.pofile(str(path))
        if not entry.obsolete and not entry.fuzzy
    }


def test_every_choice_label_in_balie_is_translated_in_both_catalogues():
    catalogues = {language: _catalogue_keys(language) for language in ("nl", "en")}
    fields = list(_choice_fields())
    assert len(fields) >= 10  # the walk found the models

    labels = [(model, field, label) for model, field in fields for _value, label in field.choices]
    labels += [(None, "ApiScope", label) for _value, label in ApiScope.choices]
    for model, field, label in labels:
        where = f"{model.__name__ if model else ''}.{getattr(field, 'name', field)}: {label!r}"
        assert isinstance(label, Promise), f"{where} is not a lazy translation"
        # gettext_lazy(msgid) keeps (msgid,); pgettext_lazy(context, msgid) (context, msgid).
        context, msgid = (None, *label._args) if len(label._args) == 1 else label._args
        for language, catalogue in catalogues.items():
            assert catalogue.get((context, msgid)), f"{where} has no {language} translation"


@pytest.mark.django_db
def test_a_refused_status_change_names_the_statuses_in_the_readers_language(webchat, agent_anna):
    conversation, _token = webchat
    conversation = actions.do_change_status(conversation, actor=agent_anna, status="closed")

    with pytest.raises(StateConflict) as raised:
        actions.do_change_status(conversation, actor=agent_anna, status="open")

    assert raised.value.message == "Van Gesloten kan niet naar Open."
    with translation.override("en"):
        assert raised.value.message == "Cannot change from Closed to Open."


@pytest.mark.django_db
def test_the_stored_status_line_stays_dutch_under_english(webchat, agent_anna):
    conversation, _token = webchat

    with translation.override("en"):
        actions.do_change_status(conversation, actor=agent_anna, status="resolved")

    line = Message.objects.filter(conversation=conversation, direction=Direction.SYSTEM).last()
    assert line is not None and line.body == "Status: Opgelost"


def test_import_reasons_are_in_the_language_of_the_proposal():
    message = msg(0, "2026-03-02T10:00", "Jan Jansen", "Over de vergunning van morgen")
    summary = ChatSummary("Raad")
    summary.add(message)
    context = Context(colleagues={"jan jansen": "Jan Jansen"})

    dutch = propose(message, summary, context)
    with translation.override("en"):
        english = propose(message, summary, context)

    assert dutch.business and english.business
    assert dutch.reasons[0] == "Woorden die op werk wijzen: ‘vergunning’."
    assert english.reasons[0] == "Words that point to work: ‘vergunning’."
    assert dutch.reasons[-1] == "Verstuurd onder werktijd (dit telt maar weinig mee)."
    assert english.reasons[-1] == "Sent during working hours (this counts for little)."
