"""The console page of the Notificaties API: for the organisation's administrators only,
never showing the secret; its forms call the actions."""

from __future__ import annotations

import pytest
from django.test import Client

from balie.integrations.notificaties.models import Connection, SentNotification, State
from tests.factories import send
from tests.integrations.notificaties.conftest import CLIENT_ID, SECRET, run_queued

pytestmark = pytest.mark.django_db

PAGE = "/console/utrecht/notificaties/"


@pytest.fixture
def ada(admin_ada):
    browser = Client()
    browser.force_login(admin_ada)
    return browser


def _form(nrc, **extra):
    return {"url": nrc.root, "client_id": CLIENT_ID, "secret": SECRET, "kanaal": "balie-gesprekken",
            "enabled": "on", **extra}  # fmt: skip


def test_an_administrator_sets_up_and_registers_from_the_page(ada, nrc):
    page = ada.get(PAGE)
    assert page.status_code == 200
    assert "Notificaties API" in page.content.decode()

    saved = ada.post(f"{PAGE}connection/", _form(nrc))
    assert saved.status_code == 302 and saved["Location"] == PAGE
    assert Connection.objects.get().client_id == CLIENT_ID

    registered = ada.post(f"{PAGE}kanaal/")
    assert registered.status_code == 302
    shown = ada.get(PAGE).content.decode()
    assert nrc.kanalen["balie-gesprekken"]["url"] in shown
    assert SECRET not in shown and CLIENT_ID in shown


def test_a_refusal_is_shown_with_the_form_kept(ada, nrc):
    page = ada.post(f"{PAGE}connection/", _form(nrc, url="ftp://nrc.example.nl"))
    assert page.status_code == 400
    shown = page.content.decode()
    assert 'role="alert"' in shown and 'value="ftp://nrc.example.nl"' in shown
    assert SECRET not in shown  # the password field is never filled in again
    assert not Connection.objects.exists()


def test_the_api_refusing_is_shown_on_the_page(ada, nrc):
    ada.post(f"{PAGE}connection/", _form(nrc, secret="wrong"))
    page = ada.post(f"{PAGE}kanaal/")
    assert page.status_code == 409 and "403" in page.content.decode()


def test_subscribing_and_removing_from_the_page(ada, nrc, connected):
    nrc.kanalen["zaken"] = {"url": f"{nrc.root}/kanaal/zaken", "naam": "zaken", "filters": []}
    done = ada.post(f"{PAGE}abonnement/", {"kanalen": "zaken bronorganisatie=002220647"})
    assert done.status_code == 302
    (abonnement,) = nrc.abonnementen.values()
    assert abonnement["kanalen"] == [{"naam": "zaken", "filters": {"bronorganisatie": "002220647"}}]
    shown = ada.get(PAGE).content.decode()
    assert "bronorganisatie=002220647" in shown and abonnement["auth"][7:] not in shown
    assert connected.callback_token in shown  # the callback address, to check at the API

    refused = ada.post(f"{PAGE}abonnement/", {"kanalen": "zaken bronorganisatie"})
    assert refused.status_code in (400, 409)

    removed = ada.post(f"{PAGE}abonnement/delete/")
    assert removed.status_code == 302 and nrc.abonnementen == {}


def test_sent_notificaties_are_shown_and_a_failed_one_sent_again(
    webchat, ada, nrc, connected, monkeypatch
):
    from balie.integrations.notificaties import tasks

    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 1)
    conversation, _token = webchat
    nrc.fail_always("notificaties_create", "500")
    send(conversation, "Mijn BSN is 111222333")
    run_queued()
    row = SentNotification.objects.get()
    shown = ada.get(PAGE).content.decode()
    assert "Er is een interne fout opgetreden." in shown
    assert f"sent/{row.pk}/retry/" in shown and "111222333" not in shown

    nrc.heal()
    assert ada.post(f"{PAGE}sent/{row.pk}/retry/").status_code == 302
    run_queued()
    row.refresh_from_db()
    assert row.state == State.SENT and len(nrc.notificaties) == 1
    again = ada.post(f"{PAGE}sent/{row.pk}/retry/")
    assert again.status_code == 409


@pytest.mark.parametrize("person", ["lead_lotte", "auditor_aziz", "woo_wim", "agent_anna"])
def test_the_page_is_not_found_for_other_roles(request, connected, person):
    browser = Client()
    browser.force_login(request.getfixturevalue(person))
    assert browser.get(PAGE).status_code == 404
    assert browser.post(f"{PAGE}kanaal/").status_code == 404
    assert (
        browser.post(f"{PAGE}connection/", {"url": "https://x", "client_id": "c"}).status_code
        == 404
    )


def test_another_municipality_neither_sees_nor_changes(admin_greta, connected, webchat):
    conversation, _token = webchat
    send(conversation, "Hallo")
    row = SentNotification.objects.first()
    browser = Client()
    browser.force_login(admin_greta)
    assert browser.get(PAGE).status_code == 404
    assert (
        browser.post(f"{PAGE}connection/", {"url": "https://x", "client_id": "c"}).status_code
        == 404
    )
    assert browser.post(f"{PAGE}abonnement/delete/").status_code == 404
    assert browser.post(f"{PAGE}sent/{row.pk}/retry/").status_code == 404
    # On their own page, Utrecht's notificatie does not exist.
    assert browser.post(f"/console/groningen/notificaties/sent/{row.pk}/retry/").status_code == 404
    assert browser.get("/console/groningen/notificaties/").status_code == 200
    assert Connection.objects.get().client_id == CLIENT_ID


def test_without_login_to_the_login_page(connected):
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]
