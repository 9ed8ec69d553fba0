"""Setting up the Klantinteracties API and following registrations: the actions, the REST
API and the console; who may do what, and nobody across organisations. The token is sealed
and never shown."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from balie.archive.models import ArchiveEvent
from balie.conversations.actions.errors import ActionError
from balie.errors import NotAllowed, NotFound
from balie.integrations.klantinteracties.connection import do_configure_connection
from balie.integrations.klantinteracties.models import Connection, Registration
from balie.integrations.klantinteracties.outbox import do_retry
from balie.integrations.klantinteracties.outcomes import RegistrationRefused
from balie.integrations.klantinteracties.selectors import (
    connection_settings,
    recent_registrations,
    registration_status,
)
from balie.tenants.secrets import seal, unseal
from tests.factories import AUDIT_WRITE_QUERIES, send
from tests.integrations.klantinteracties.conftest import TOKEN

pytestmark = pytest.mark.django_db

CONNECTION = "/api/v1/klantinteracties/connection/"


def _api(person=None, key=None) -> APIClient:
    api = APIClient()
    if person is not None:
        api.force_login(person)
    if key is not None:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


@pytest.fixture
def failed(chat, connected, openklant, resolve, run_queued):
    """Utrecht's chat, resolved while Open Klant refused the token: failed for good."""
    Connection.objects.update(token=seal("wrong-token"))
    resolve(chat)
    assert run_queued() == ["failed"]
    return chat


# --- the actions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "http://openklant.example.nl/klantinteracties/api/v1"),  # https, except here
        ("url", "https://user:pw@openklant.example.nl"),
        ("url", "https://openklant.example.nl/api?x=1"),
        ("url", 17),
        ("token", "two words"),
        ("token", ""),
        ("kanalen", {"fax": "fax"}),
        ("kanalen", {"webchat": "x" * 51}),
        ("kanalen", ["chat"]),
        ("confidential", "yes"),
    ],
)
def test_the_connection_is_checked(utrecht, admin_ada, field, value):
    given = {"url": "https://openklant.example.nl/klantinteracties/api/v1", "token": TOKEN,
             field: value}  # fmt: skip
    with pytest.raises(ActionError) as refused:
        do_configure_connection(utrecht.pk, actor=admin_ada, **given)
    assert refused.value.field == field
    assert not Connection.objects.exists()


def test_a_first_connection_needs_a_token_and_a_change_keeps_it(utrecht, admin_ada):
    url = "https://openklant.example.nl/klantinteracties/api/v1/"
    with pytest.raises(ActionError):
        do_configure_connection(utrecht.pk, actor=admin_ada, url=url)
    do_configure_connection(utrecht.pk, actor=admin_ada, url=url, token=TOKEN)
    do_configure_connection(utrecht.pk, actor=admin_ada, url=url, enabled=False,
                            kanalen={"whatsapp": " WhatsApp  gemeente ", "sms": ""})  # fmt: skip
    stored = Connection.objects.get(organisation=utrecht)
    assert unseal(stored.token) == TOKEN and not stored.enabled
    assert stored.url == url.rstrip("/") and stored.kanalen == {"whatsapp": "WhatsApp gemeente"}
    events = ArchiveEvent.objects.filter(event_type="klantinteracties.configured")
    assert [e.payload["token_changed"] for e in events.order_by("seq")] == [True, False]


def test_roles(utrecht, admin_ada, auditor_aziz, agent_anna, lead_lotte, woo_wim, records_rik,
               failed):  # fmt: skip
    for person in (auditor_aziz, agent_anna, lead_lotte, woo_wim, records_rik):
        with pytest.raises(NotAllowed):
            do_configure_connection(utrecht.pk, actor=person, url="https://x.nl", token="t")
        with pytest.raises(NotAllowed):
            do_retry(person, failed.pk)
    for person in (agent_anna, lead_lotte, woo_wim):
        with pytest.raises(NotAllowed):
            connection_settings(person, utrecht.pk)
        with pytest.raises(NotAllowed):
            recent_registrations(person, utrecht.pk)
    assert connection_settings(auditor_aziz, utrecht.pk)["token_set"] is True
    assert [r["conversation"] for r in recent_registrations(auditor_aziz, utrecht.pk)] == [
        failed.pk
    ]
    # Whoever sees the conversation sees its registration.
    for person in (agent_anna, lead_lotte, auditor_aziz, admin_ada):
        assert registration_status(person, failed.pk)["state"] == "failed"


def test_another_municipality_neither_sets_up_nor_sees(
    utrecht, groningen, admin_gijs, agent_gerrit, failed, connected
):
    with pytest.raises(NotAllowed):
        do_configure_connection(utrecht.pk, actor=admin_gijs, url="https://x.nl", token="t")
    with pytest.raises(NotAllowed):
        connection_settings(admin_gijs, utrecht.pk)
    with pytest.raises(NotAllowed):
        recent_registrations(admin_gijs, utrecht.pk)
    for person in (admin_gijs, agent_gerrit):
        with pytest.raises(NotFound):
            registration_status(person, failed.pk)
        with pytest.raises(NotFound):
            do_retry(person, failed.pk)
    assert connection_settings(admin_gijs, groningen.pk) is None
    assert Connection.objects.get(organisation=utrecht).url == connected.url


def test_retrying(failed, admin_ada, openklant, connected, committed, run_queued):
    Connection.objects.update(token=seal(TOKEN))
    committed(do_retry, admin_ada, failed.pk)
    with pytest.raises(RegistrationRefused) as refused:
        do_retry(admin_ada, failed.pk)
    assert (refused.value.code, refused.value.status) == ("registration_in_progress", 409)
    assert run_queued() == ["registered"]
    with pytest.raises(RegistrationRefused) as refused:
        do_retry(admin_ada, failed.pk)
    assert refused.value.code == "already_registered"


def test_retrying_what_was_never_registered(chat, admin_ada):
    with pytest.raises(NotFound):
        do_retry(admin_ada, chat.pk)


def test_the_token_is_sealed_and_never_shown(client, chat, utrecht, admin_ada, openklant,
                                             connected, resolve, run_queued):  # fmt: skip
    with db.cursor() as cursor:
        cursor.execute("SELECT * FROM klantinteracties_connection")
        row = cursor.fetchone()
    assert TOKEN not in repr(row)
    assert unseal(Connection.objects.get(organisation=utrecht).token) == TOKEN
    resolve(chat)
    run_queued()
    assert openklant.authorizations == {f"Token {TOKEN}"}  # it reached Open Klant only
    client.force_login(admin_ada)
    everything = " ".join(
        [
            client.get("/console/utrecht/klantinteracties/").content.decode(),
            client.get(
                f"/console/utrecht/klantinteracties/conversations/{chat.pk}/"
            ).content.decode(),
            _api(admin_ada).get(CONNECTION).content.decode(),
            _api(admin_ada)
            .get(f"/api/v1/conversations/{chat.pk}/klantinteracties/")
            .content.decode(),
            repr(connection_settings(admin_ada, utrecht.pk)),
            repr(list(Registration.objects.values())),
            repr(list(ArchiveEvent.objects.values_list("payload", flat=True))),
            repr(list(DBTaskResult.objects.values_list("args_kwargs", "return_value"))),
        ]
    )
    assert TOKEN not in everything and "token_set" in everything


# --- over the API --------------------------------------------------------------------------


def test_setting_up_over_the_api(utrecht, admin_ada, auditor_aziz, agent_anna, openklant):
    api = _api(admin_ada)
    assert api.get(CONNECTION).status_code == 404
    body = {"url": openklant.api, "token": TOKEN, "kanalen": {"email": "E-mail"},
            "confidential": False}  # fmt: skip
    saved = api.put(CONNECTION, body, format="json")
    assert saved.status_code == 200
    shown = saved.json()
    assert shown["token_set"] is True and TOKEN not in saved.content.decode()
    assert shown["kanalen"] == {"email": "E-mail"} and shown["confidential"] is False
    assert shown["enabled"] is True and shown["send_contact_details"] is True
    assert api.get(CONNECTION, {"organisation": "utrecht"}).json()["url"] == openklant.api
    for wrong in ({**body, "url": "gopher://x"}, {**body, "enabled": "yes"}, {**body, "x": 1}):
        refused = api.put(CONNECTION, wrong, format="json")
        assert refused.status_code == 400 and refused.json()["code"]
    assert api.get(CONNECTION, {"unknown": "1"}).status_code == 400

    auditor = _api(auditor_aziz)
    assert auditor.get(CONNECTION).json()["token_set"] is True
    assert auditor.put(CONNECTION, body, format="json").status_code == 403
    assert _api(agent_anna).get(CONNECTION).status_code == 403
    assert _api(agent_anna).put(CONNECTION, body, format="json").status_code == 403


def test_the_connection_is_for_people_not_keys(utrecht_api_key, connected):
    _key, secret = utrecht_api_key
    assert _api(key=secret).get(CONNECTION).status_code == 403
    assert (
        _api(key=secret).put(CONNECTION, {"url": "https://x.nl"}, format="json").status_code == 403
    )


def test_another_municipality_over_the_api(connected, failed, admin_gijs, agent_gerrit,
                                           groningen_api_key, utrecht_api_key):  # fmt: skip
    other = _api(admin_gijs)
    assert other.get(CONNECTION, {"organisation": "utrecht"}).status_code == 404
    put = other.put(CONNECTION, {"organisation": "utrecht", "url": "https://x.nl", "token": "t"},
                    format="json")  # fmt: skip
    assert put.status_code == 404
    assert other.get(CONNECTION).status_code == 404  # Groningen has none
    url = f"/api/v1/conversations/{failed.pk}/klantinteracties/"
    _key, secret = groningen_api_key
    for api in (other, _api(agent_gerrit), _api(key=secret)):
        assert api.get(url).status_code == 404
        assert api.post(url + "retry/").status_code == 404
    assert Connection.objects.get().url == connected.url


def test_following_a_registration_over_the_api(failed, admin_ada, agent_anna, utrecht_api_key,
                                               connected, run_queued, committed):  # fmt: skip
    url = f"/api/v1/conversations/{failed.pk}/klantinteracties/"
    shown = _api(agent_anna).get(url)
    assert shown.status_code == 200
    assert shown.json()["state"] == "failed" and shown.json()["error_status"] == 401
    assert "Ongeldige token." in shown.json()["error"]
    _key, secret = utrecht_api_key
    assert _api(key=secret).get(url).json()["state"] == "failed"
    assert _api(key=secret).post(url + "retry/").status_code == 403  # a person retries
    assert _api(agent_anna).post(url + "retry/").status_code == 403
    Connection.objects.update(token=seal(TOKEN))
    queued = committed(_api(admin_ada).post, url + "retry/")
    assert queued.status_code == 202 and queued.json()["state"] == "queued"
    assert _api(admin_ada).post(url + "retry/").status_code == 409
    assert run_queued() == ["registered"]
    done = _api(agent_anna).get(url).json()
    assert done["state"] == "registered" and done["klantcontact_url"].startswith("http://127.0.0.1")
    assert _api(agent_anna).get("/api/v1/conversations/999999/klantinteracties/").status_code == 404


def test_a_conversation_never_registered_answers_404(chat, agent_anna):
    response = _api(agent_anna).get(f"/api/v1/conversations/{chat.pk}/klantinteracties/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- in the console ------------------------------------------------------------------------


def test_setting_up_in_the_console(client, admin_ada, auditor_aziz, agent_anna, openklant):
    page = "/console/utrecht/klantinteracties/"
    client.force_login(admin_ada)
    assert "Open Klant" in client.get(page).content.decode()
    wrong = {"url": "ftp://x", "token": TOKEN}
    refused = client.post(page + "connection/", wrong)
    assert refused.status_code == 400 and not Connection.objects.exists()
    saved = client.post(page + "connection/", {
        "url": openklant.api, "token": TOKEN, "enabled": "on", "confidential": "on",
        "send_contact_details": "on", "kanaal_webchat": "Chat website",
    })  # fmt: skip
    assert saved.status_code == 302
    shown = client.get(page).content.decode()
    assert openklant.api in shown and "Chat website" in shown and TOKEN not in shown
    # The token left empty keeps the one that is set; unticked boxes are off.
    client.post(page + "connection/", {"url": openklant.api, "token": ""})
    stored = Connection.objects.get()
    assert unseal(stored.token) == TOKEN and not stored.enabled and not stored.confidential

    client.force_login(auditor_aziz)
    assert openklant.api in client.get(page).content.decode()
    assert client.post(page + "connection/", {"url": openklant.api}).status_code == 403
    client.force_login(agent_anna)
    assert client.get(page).status_code == 404


def test_following_and_retrying_in_the_console(client, failed, admin_ada, agent_anna, connected,
                                               run_queued, auditor_aziz, committed):  # fmt: skip
    page = "/console/utrecht/klantinteracties/"
    one = f"{page}conversations/{failed.pk}/"
    client.force_login(admin_ada)
    listed = client.get(page).content.decode()
    assert f"#{failed.pk}" in listed and "Ongeldige token." in listed
    assert "Opnieuw proberen" in listed
    client.force_login(agent_anna)
    detail = client.get(one).content.decode()
    assert "Ongeldige token." in detail and f"{failed.pk}/retry/" not in detail
    assert client.post(one + "retry/").status_code == 403
    client.force_login(auditor_aziz)
    assert client.post(one + "retry/").status_code == 403

    Connection.objects.update(token=seal(TOKEN))
    client.force_login(admin_ada)
    assert committed(client.post, one + "retry/", {"next": "overview"}).status_code == 302
    assert run_queued() == ["registered"]
    detail = client.get(one).content.decode()
    registration = Registration.objects.get(conversation=failed)
    assert registration.klantcontact_url in detail and registration.bijlage_url in detail


def test_the_list_reads_in_a_fixed_number_of_queries(client, utrecht, admin_ada, connected, chat,
                                                     resolve, utrecht_team, committed):  # fmt: skip
    from balie.conversations import actions

    for _number in range(3):
        conversation, _token = actions.do_start_webchat(utrecht)
        send(conversation, "Hallo")
        resolve(conversation)
    recent_registrations(admin_ada, utrecht.pk)  # the audit log's head exists from now on
    with CaptureQueriesContext(db) as few:
        assert len(recent_registrations(admin_ada, utrecht.pk)) == 3
    for _number in range(3):
        conversation, _token = actions.do_start_webchat(utrecht)
        send(conversation, "Hallo")
        resolve(conversation)
    with CaptureQueriesContext(db) as more:
        assert len(recent_registrations(admin_ada, utrecht.pk)) == 6
    assert len(more) == len(few) <= 2 + AUDIT_WRITE_QUERIES


def test_another_municipality_in_the_console(client, failed, admin_gijs, agent_gerrit):
    page = "/console/utrecht/klantinteracties/"
    for person in (admin_gijs, agent_gerrit):
        client.force_login(person)
        assert client.get(page).status_code == 404
        assert (
            client.post(page + "connection/", {"url": "https://x.nl", "token": "t"}).status_code
            == 404
        )
        assert client.get(f"{page}conversations/{failed.pk}/").status_code == 404
        assert client.post(f"{page}conversations/{failed.pk}/retry/").status_code == 404
    # Their own organisation's address does not reach Utrecht's conversation either.
    client.force_login(admin_gijs)
    own = f"/console/groningen/klantinteracties/conversations/{failed.pk}/"
    assert client.get(own).status_code == 404
    assert client.post(own + "retry/").status_code == 404
    assert Registration.objects.get(conversation=failed).state == "failed"
