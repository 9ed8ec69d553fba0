"""A small corpus of Utrecht and Groningen conversations to search in.

Utrecht: ``parking`` (team Algemeen, label "parkeren", zaaknummer Z-2026-001, WhatsApp),
``waste`` (team Algemeen, pending), ``passport`` (team Burgerzaken, which agent_anna is not
in); Groningen: ``groningen_passport``. Each is a dict of its conversation and messages.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from balie.accounts.actions import do_create_api_key
from balie.conversations import actions
from balie.conversations.models import Channel, Conversation, Direction, Message, Status
from balie.search import index as search_index
from tests.factories import send


def long_ago():
    """Noon, local time, 400 days ago: the same local date whatever the hour and DST offset."""
    day = timezone.localdate() - timedelta(days=400)
    return timezone.make_aware(datetime.combine(day, time(12)))


def _start(organisation, team, *, subject):
    conversation, _token = actions.do_start_webchat(organisation)
    if team is not None and conversation.team_id != team.pk:
        conversation = actions.do_assign(
            conversation, actor=None, team=team, change_team=True, assignee=None
        )
    return actions.do_update_details(conversation, actor=None, subject=subject)


@pytest.fixture
def burgerzaken(utrecht, woo_wim):
    return actions.do_create_team(utrecht, name="Burgerzaken", members=[])


@pytest.fixture
def corpus(utrecht, utrecht_team, burgerzaken, agent_anna, groningen, groningen_team):
    parking = _start(utrecht, utrecht_team, subject="Parkeervergunning")
    actions.do_update_details(parking, actor=None, case_reference="Z-2026-001", labels=["parkeren"])
    Conversation.objects.filter(pk=parking.pk).update(channel=Channel.WHATSAPP)
    p1 = send(parking, "Mijn parkeervergunning is verlopen, kan ik een nieuwe vergunning krijgen?")
    p2 = send(
        parking,
        "Ja, u kunt de vergunningen online verlengen via het digitale loket.",
        direction=Direction.OUTBOUND,
        author=agent_anna,
    )
    p3 = send(
        parking,
        "Inwoner belde ook over het Café op de hoek en de geluidsoverlast.",
        direction=Direction.NOTE,
        author=agent_anna,
    )
    waste = _start(utrecht, utrecht_team, subject="Afvalcontainer")
    w1 = send(waste, "Wanneer wordt de afvalcontainer geleegd? Het cafe ernaast klaagt ook.")
    w2 = send(
        waste,
        "De container wordt dinsdag geleegd, excuses voor de overlast.",
        direction=Direction.OUTBOUND,
        author=agent_anna,
    )
    actions.do_change_status(waste, actor=agent_anna, status=Status.PENDING)
    # An old message, for the period filter.
    Message.objects.filter(pk=w1.pk).update(created_at=long_ago())
    w1.refresh_from_db()
    search_index.reindex_message(w1)  # its entry follows (into another month's partition)
    passport = _start(utrecht, burgerzaken, subject="Paspoort")
    b1 = send(passport, "Ik wil een afspraak voor mijn paspoort en mijn rijbewijs verlengen.")
    groningen_passport = _start(groningen, groningen_team, subject="Paspoort")
    g1 = send(groningen_passport, "Mijn paspoort is verlopen en ik heb een vergunning nodig.")
    return {
        "parking": (parking, [p1, p2, p3]),
        "waste": (waste, [w1, w2]),
        "passport": (passport, [b1]),
        "groningen": (groningen_passport, [g1]),
    }


@pytest.fixture
def read_only_key(utrecht):
    """A Utrecht key without conversations:read."""
    return do_create_api_key(utrecht, name="alleen contacten", scopes=["contacts:read"])
