"""Error messages are shown in the reader's language: Dutch by default, English on request.

An error is raised with a lazily translated text and its placeholders apart
(``balie.errors.BalieError``), so the same error reads in whichever language is active when
it is shown.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from balie.conversations import actions
from balie.conversations.actions import ActionError
from balie.records.destruction import _ids
from balie.search.errors import SearchError
from balie.search.params import parse_search


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """Start from no active language (so the default, LANGUAGE_CODE, applies), and leave
    none behind: a request with Accept-Language: en leaves English active in the thread."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def key_client(utrecht_api_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {utrecht_api_key[1]}")
    return client


def test_an_action_error_is_dutch_by_default_and_english_when_asked(webchat, agent_anna):
    conversation, _token = webchat

    with pytest.raises(ActionError) as raised:
        actions.do_change_status(conversation, actor=agent_anna, status="nonsense")

    error = raised.value
    assert error.code == "invalid_status"
    assert error.message == "Onbekende status 'nonsense'."
    with translation.override("en"):
        assert error.message == "Unknown status 'nonsense'."
        assert error.as_dict()["detail"] == "Unknown status 'nonsense'."
    with translation.override("nl"):
        assert str(error) == "Onbekende status 'nonsense'."


def test_an_error_raised_under_english_still_reads_dutch_for_a_dutch_reader(webchat):
    conversation, _token = webchat
    with translation.override("en"), pytest.raises(ActionError) as raised:
        actions.check_send_message(
            conversation, direction="inbound", body="hallo", client_id="short"
        )

    assert raised.value.message == "client_id moet een tekst van 8 tot 64 tekens zijn."


def test_a_placeholder_is_filled_in_both_languages(webchat, settings):
    conversation, _token = webchat
    settings.MAX_MESSAGE_CHARS = 12

    with pytest.raises(ActionError) as raised:
        actions.check_send_message(
            conversation, direction="inbound", body="x" * 13, client_id="client-0001"
        )

    assert raised.value.message == "Het bericht is te lang (maximaal 12 tekens)."
    with translation.override("en"):
        assert raised.value.message == "The message is too long (at most 12 characters)."


def test_a_search_error_with_several_placeholders(utrecht):
    with pytest.raises(SearchError) as raised:
        parse_search(utrecht.pk, {"q": "paspoort", "page": "0"})

    assert raised.value.field == "page"
    assert raised.value.message == "page moet een geheel getal zijn van 1 tot en met 10000."
    with translation.override("en"):
        assert raised.value.message == "page must be a whole number from 1 to 10000."


def test_a_lazy_placeholder_follows_the_language_too():
    many = _ids(list(range(1, 26)))

    assert str(many).endswith("19, 20 en 5 meer")
    with translation.override("en"):
        assert str(many).endswith("19, 20 and 5 more")


@pytest.mark.django_db
def test_the_api_answers_in_dutch_by_default(key_client, webchat, settings):
    conversation, _token = webchat
    settings.MAX_MESSAGE_CHARS = 12
    url = f"/api/v1/conversations/{conversation.pk}/messages/"

    response = key_client.post(url, {"client_id": "client-0001", "body": "x" * 13}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Het bericht is te lang (maximaal 12 tekens)."


@pytest.mark.django_db
def test_the_api_answers_in_english_with_accept_language_en(key_client, webchat, settings):
    """LocaleMiddleware is in settings.MIDDLEWARE: the API follows Accept-Language."""
    conversation, _token = webchat
    settings.MAX_MESSAGE_CHARS = 12
    url = f"/api/v1/conversations/{conversation.pk}/messages/"

    too_long = key_client.post(
        url,
        {"client_id": "client-0001", "body": "x" * 13},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    wrong_type = key_client.post(
        url, {"client_id": 12345678, "body": "hi"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    malformed = key_client.post(
        url, b"{", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    unknown = key_client.get("/api/v1/conversations/999999/", HTTP_ACCEPT_LANGUAGE="en")

    assert too_long.status_code == 400
    assert too_long.json()["detail"] == "The message is too long (at most 12 characters)."
    assert wrong_type.json()["detail"] == "The input is not valid; see 'fields'."
    assert wrong_type.json()["fields"]["client_id"][0]["detail"] == "Expected a text."
    assert malformed.json()["detail"] == "The JSON in the request is not valid."
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Not found."


@pytest.mark.django_db
def test_an_unknown_api_key_is_refused_in_the_asked_language(webchat):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer nope.nope")

    dutch = client.get("/api/v1/conversations/")
    english = client.get("/api/v1/conversations/", HTTP_ACCEPT_LANGUAGE="en")

    assert dutch.json()["detail"] == "Onbekende of ingetrokken API-sleutel."
    assert english.json()["detail"] == "Unknown or revoked API key."
