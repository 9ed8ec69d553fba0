"""Logging in to the console, the lockout after repeated failures, logging out."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = "/console/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_dutch_by_default(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert '<html lang="nl"' in response.text
    assert "Gebruikersnaam" in response.text


def test_language_switch_shows_english_and_is_kept_in_the_session(client, db):
    response = client.post("/console/language/", {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert response.headers["Location"] == LOGIN
    page = client.get(LOGIN).text
    assert '<html lang="en"' in page
    assert "User name" in page
    assert 'name="language" value="nl"' in page and ">Nederlands</button>" in page


def test_the_browser_language_does_not_change_the_console(client, db):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").text

    assert '<html lang="nl"' in page
    assert "Gebruikersnaam" in page
    assert ">English</button>" in page


def test_inbox_and_its_script_texts_follow_the_switch(client, agent_anna, webchat):
    client.force_login(agent_anna)
    dutch = client.get("/console/utrecht/").text
    dutch_catalogue = client.get(reverse("console:jsi18n")).text
    client.post("/console/language/", {"language": "en", "next": LOGIN})
    english = client.get("/console/utrecht/").text
    english_catalogue = client.get(reverse("console:jsi18n")).text

    assert "Alle teams" in dutch and "All teams" in english
    assert "Wacht op inwoner" in dutch_catalogue  # gettext("Waiting for resident")
    assert "Wacht op inwoner" not in english_catalogue
    assert '"Waiting for resident"' in english_catalogue


def test_the_language_outlives_logging_out(client, agent_anna):
    client.force_login(agent_anna)
    client.post("/console/language/", {"language": "en", "next": LOGIN})
    client.post("/console/logout/")

    assert "User name" in client.get(LOGIN).text


def test_language_switch_refuses_to_redirect_off_site(client, db):
    response = client.post("/console/language/", {"language": "en", "next": "https://evil.test/"})
    assert response.headers["Location"] == reverse("console:home")


def test_login_with_one_membership_lands_in_that_inbox(client, agent_anna):
    response = _login(client, "agent_anna", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("console:home")
    home = client.get(reverse("console:home"))
    assert home.headers["Location"] == "/console/utrecht/"
    assert client.get("/console/utrecht/").status_code == 200


def test_wrong_password_shows_the_form_again(client, agent_anna):
    response = _login(client, "agent_anna", "wrong")
    assert response.status_code == 200
    assert "passen niet bij elkaar" in response.text
    assert "_auth_user_id" not in client.session


def test_lockout_after_five_failures_refuses_even_the_right_password(client, agent_anna):
    for _ in range(5):
        _login(client, "agent_anna", "wrong")
    response = _login(client, "agent_anna", PASSWORD)
    assert response.status_code == 429
    assert "U kunt even niet inloggen" in response.text
    assert "Probeer het over 15 minuten opnieuw" in response.text
    assert "_auth_user_id" not in client.session
    assert client.get("/console/utrecht/").status_code == 302  # still to the login page


def test_home_offers_a_choice_with_several_memberships(client, agent_anna, groningen):
    from balie.accounts.actions import do_set_membership

    do_set_membership(agent_anna, groningen, "agent")
    client.force_login(agent_anna)
    response = client.get("/console/")
    assert response.status_code == 200
    assert "/console/utrecht/" in response.text
    assert "/console/groningen/" in response.text


@pytest.mark.parametrize("path", ["/console/", "/console/utrecht/", "/console/attachments/1/"])
def test_console_pages_require_login(client, utrecht, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(LOGIN)


def test_logout_is_a_post_and_ends_the_session(client, agent_anna):
    client.force_login(agent_anna)
    assert client.get("/console/logout/").status_code == 405
    response = client.post("/console/logout/")
    assert response.headers["Location"] == LOGIN
    assert client.get("/console/utrecht/").status_code == 302


# --- the per-user-name throttle: slows guessing from many addresses, never locks --------------


def _login_from(client, address, username, password):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def throttle_after_three(settings):
    settings.LOGIN_THROTTLE_FAILURES = 3
    settings.LOGIN_THROTTLE_DELAY_SECONDS = 30


def test_failures_from_many_addresses_make_the_next_attempt_wait(
    client, agent_anna, throttle_after_three
):
    for n in range(3):
        assert _login_from(client, f"198.51.100.{n}", "agent_anna", "wrong").status_code == 200

    response = _login_from(client, "203.0.113.9", "agent_anna", PASSWORD)

    assert response.status_code == 429
    assert "Te veel mislukte inlogpogingen" in response.text
    assert "Probeer het over 30 seconden opnieuw" in response.text
    assert 'value="agent_anna"' in response.text
    assert "_auth_user_id" not in client.session


def test_the_throttle_does_not_check_the_password_while_waiting(
    client, agent_anna, throttle_after_three, monkeypatch
):
    for n in range(3):
        _login_from(client, f"198.51.100.{n}", "AGENT_ANNA ", "wrong")
    checked = []
    monkeypatch.setattr(type(agent_anna), "check_password", lambda *args: checked.append(args))

    _login_from(client, "203.0.113.9", "agent_anna", "another-guess")

    assert checked == []


def test_after_the_wait_the_right_password_works(client, agent_anna, throttle_after_three):
    for n in range(3):
        _login_from(client, f"198.51.100.{n}", "agent_anna", "wrong")
    later = time.time() + 31

    with mock.patch("balie.accounts.throttle.time.time", return_value=later):
        response = _login_from(client, "203.0.113.9", "agent_anna", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent_anna.pk)


def test_each_failure_after_the_wait_starts_a_new_wait(client, agent_anna, throttle_after_three):
    for n in range(3):
        _login_from(client, f"198.51.100.{n}", "agent_anna", "wrong")
    with mock.patch("balie.accounts.throttle.time.time", return_value=time.time() + 31):
        assert _login_from(client, "198.51.100.7", "agent_anna", "wrong").status_code == 200
        response = _login_from(client, "198.51.100.8", "agent_anna", PASSWORD)

    assert response.status_code == 429


def test_the_throttle_is_per_user_name(client, agent_anna, lead_lotte, throttle_after_three):
    for n in range(3):
        _login_from(client, f"198.51.100.{n}", "agent_anna", "wrong")

    response = _login_from(client, "203.0.113.9", "lead_lotte", PASSWORD)

    assert response.status_code == 302


def test_a_successful_login_forgets_earlier_failures(client, agent_anna, throttle_after_three):
    for n in range(2):
        _login_from(client, f"198.51.100.{n}", "agent_anna", "wrong")
    _login_from(client, "198.51.100.5", "agent_anna", PASSWORD)
    client.post("/console/logout/")

    _login_from(client, "198.51.100.6", "agent_anna", "wrong")
    response = _login_from(client, "198.51.100.7", "agent_anna", PASSWORD)

    assert response.status_code == 302
