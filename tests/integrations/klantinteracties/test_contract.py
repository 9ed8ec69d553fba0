"""Every request Balie sends to Open Klant is valid per Open Klant's own contract (the fake
checks each one, and its own answers, with openapi-core; the fixture fails the test on any
violation) — also at the edges of the lengths the contract allows."""

from __future__ import annotations

import pytest
import requests

from balie.conversations import actions
from balie.conversations.models import Conversation, Team
from tests.factories import send
from tests.integrations.klantinteracties.conftest import TOKEN, identify, reply

pytestmark = pytest.mark.django_db


def test_the_fake_refuses_what_the_contract_refuses(openklant):
    """The fake is only worth its checks: a klantcontact without its required fields or with
    an onderwerp that is too long, and a call without the token, are refused."""
    url = f"{openklant.api}/maak-klantcontact"
    valid = {"kanaal": "chat", "onderwerp": "x", "taal": "nld", "vertrouwelijk": True}
    with requests.Session() as session:
        bare = session.post(url, json={"klantcontact": {"kanaal": "chat"}}, timeout=5)
        session.headers["Authorization"] = f"Token {TOKEN}"
        incomplete = session.post(url, json={"klantcontact": {"kanaal": "chat"}}, timeout=5)
        too_long = session.post(
            url, json={"klantcontact": {**valid, "onderwerp": "x" * 201}}, timeout=5
        )
        wrong_kind = session.post(
            url,
            json={"klantcontact": valid, "betrokkene": {"rol": "inwoner", "initiator": True}},
            timeout=5,
        )
        session.headers["Authorization"] = "Token another"
        unauthorised = session.post(url, json={"klantcontact": valid}, timeout=5)
    assert [r.status_code for r in (bare, incomplete, too_long, wrong_kind)] == [400] * 4
    assert unauthorised.status_code == 401
    assert len(openklant.violations) == 4
    assert "'taal' is a required property" in openklant.violations[1]
    assert openklant.klantcontacten == {}
    openklant.violations.clear()


@pytest.mark.parametrize("channel", ["webchat", "whatsapp", "sms", "email", "telegram"])
def test_each_channel_is_registered_within_the_contract(
    utrecht, utrecht_team, agent_anna, connected, openklant, resolve, run_queued, channel
):
    conversation, _token = actions.do_start_webchat(utrecht)
    Conversation.objects.filter(pk=conversation.pk).update(channel=channel)
    conversation.refresh_from_db()
    identify(conversation, name="Jan", email="jan@example.nl", phone="+31612345678")
    reply(conversation, agent_anna, "Goedemorgen, u had gebeld?")  # the organisation began
    send(conversation, "Ja, over mijn paspoort.")
    resolve(conversation)
    assert run_queued() == ["registered"]
    (klantcontact,) = openklant.klantcontacten.values()
    assert klantcontact["kanaal"] == {
        "webchat": "chat", "whatsapp": "whatsapp", "sms": "sms", "email": "e-mail",
        "telegram": "telegram",
    }[channel]  # fmt: skip
    (betrokkene,) = openklant.betrokkenen.values()
    assert betrokkene["initiator"] is False  # the organisation wrote first


def test_the_longest_texts_stay_within_the_contract(
    utrecht, agent_anna, connected, openklant, resolve, run_queued, settings
):
    """A subject of 200 characters, a name of 200, a long team name and case reference, many
    messages: every field within its maxLength (the fake would refuse it otherwise)."""
    settings.PUBLIC_URL = "https://balie.example.nl/" + "x" * 200  # too long for an objectId
    team = actions.do_create_team(utrecht, name="T" * 100, members=[agent_anna], is_default=True)
    assert Team.objects.filter(pk=team.pk).exists()
    conversation, _token = actions.do_start_webchat(utrecht)
    identify(conversation, name="Ä" + "b" * 150 + " " + "c" * 48, email="a" * 69 + "@example.nl",
             phone="")  # fmt: skip
    for number in range(30):
        send(conversation, f"Bericht {number}")
    actions.do_update_details(
        conversation, actor=agent_anna, subject="é" * 200, case_reference="Z" * 100
    )
    resolve(conversation)
    assert run_queued() == ["registered"]
    (klantcontact,) = openklant.klantcontacten.values()
    assert len(klantcontact["onderwerp"]) == 200 and len(klantcontact["inhoud"]) <= 1000
    (bijlage,) = openklant.bijlagen.values()
    assert bijlage["bijlageidentificator"]["codeSoortObjectId"] == "id"
    assert bijlage["bijlageidentificator"]["objectId"] == str(conversation.pk)
    (adres,) = openklant.digitale_adressen.values()
    assert adres["soortDigitaalAdres"] == "email"
