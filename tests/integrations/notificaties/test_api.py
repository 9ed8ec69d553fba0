"""The REST API of the Notificaties integration: the organisation's administrators only,
every other organisation "not found", API keys refused; never the secret."""

from __future__ import annotations

import pytest
from django.utils import timezone

from balie.integrations.notificaties.models import ReceivedNotification, SentNotification, State
from tests.factories import send
from tests.integrations.notificaties.conftest import CLIENT_ID, SECRET, run_queued

pytestmark = pytest.mark.django_db

SETTINGS = "/api/v1/notificaties/"


@pytest.fixture
def ada(as_user, admin_ada):
    return as_user(admin_ada)


@pytest.fixture
def greta(as_user, admin_greta):
    return as_user(admin_greta)


def _set_up(client, nrc, **extra):
    body = {"url": nrc.root, "client_id": CLIENT_ID, "secret": SECRET, **extra}
    return client.put(SETTINGS, body, format="json")


def test_an_administrator_sets_up_registers_and_reads(ada, nrc, utrecht):
    response = _set_up(ada, nrc)
    assert response.status_code == 200
    shown = response.json()
    assert shown["url"] == nrc.root and shown["secret_set"] is True
    assert shown["kanaal"] == "balie-gesprekken" and shown["kanaal_registered"] is False
    assert SECRET not in response.content.decode()

    registered = ada.post("/api/v1/notificaties/kanaal/", {}, format="json")
    assert registered.status_code == 200 and registered.json()["kanaal_registered"] is True
    assert registered.json()["kanaal_url"] == nrc.kanalen["balie-gesprekken"]["url"]

    read = ada.get(SETTINGS)
    assert read.status_code == 200 and read.json()["client_id"] == CLIENT_ID
    assert SECRET not in read.content.decode()


def test_nothing_set_up_is_not_found(ada, utrecht):
    response = ada.get(SETTINGS)
    assert response.status_code == 404 and response.json()["code"] == "no_connection"


def test_a_bad_body_is_refused_by_field(ada, nrc):
    response = _set_up(ada, nrc, unknown=1)
    assert response.status_code == 400 and list(response.json()["fields"]) == ["unknown"]
    response = _set_up(ada, nrc, enabled="yes", secret=12)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"enabled", "secret"}
    response = _set_up(ada, nrc, url="ftp://x")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["url"]


def test_the_api_refusing_is_a_conflict_with_its_reason(ada, nrc):
    _set_up(ada, nrc, secret="not-the-secret")
    response = ada.post("/api/v1/notificaties/kanaal/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "notificaties_refused" and "403" in response.json()["detail"]


def test_subscribing_and_removing_through_the_api(ada, nrc, connected):
    nrc.kanalen["zaken"] = {"url": f"{nrc.root}/kanaal/zaken", "naam": "zaken", "filters": []}
    response = ada.post(
        "/api/v1/notificaties/abonnement/",
        {"kanalen": [{"naam": "zaken", "filters": {"bronorganisatie": "002220647"}}]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["subscribed"] is True and len(nrc.abonnementen) == 1
    (abonnement,) = nrc.abonnementen.values()
    assert abonnement["auth"][7:] not in response.content.decode()

    bad = ada.post("/api/v1/notificaties/abonnement/", {"kanalen": []}, format="json")
    assert bad.status_code == 400
    assert [field.split(".")[0] for field in bad.json()["fields"]] == ["kanalen"]

    removed = ada.post("/api/v1/notificaties/abonnement/remove/", {}, format="json")
    assert removed.status_code == 200 and removed.json()["subscribed"] is False
    assert nrc.abonnementen == {}


def test_sent_notificaties_are_listed_and_a_failed_one_sent_again(
    webchat, ada, nrc, connected, monkeypatch
):
    from balie.integrations.notificaties import tasks

    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 1)
    conversation, _token = webchat
    nrc.fail_always("notificaties_create", "500")
    send(conversation, "Hallo")
    run_queued()

    listed = ada.get("/api/v1/notificaties/sent/", {"state": "failed"})
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert row["state"] == "failed" and row["error_status"] == 500 and row["error"]
    assert row["resource"] == "message" and row["kenmerken"]["richting"] == "inbound"
    assert ada.get("/api/v1/notificaties/sent/", {"state": "sent"}).json()["results"] == []
    assert ada.get("/api/v1/notificaties/sent/", {"state": "nonsense"}).status_code == 400

    nrc.heal()
    retried = ada.post(f"/api/v1/notificaties/sent/{row['id']}/retry/", {}, format="json")
    assert retried.status_code == 202 and retried.json()["state"] == "queued"
    run_queued()
    assert SentNotification.objects.get().state == State.SENT
    again = ada.post(f"/api/v1/notificaties/sent/{row['id']}/retry/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "not_failed"
    assert ada.post("/api/v1/notificaties/sent/abc/retry/", {}, format="json").status_code == 404


def test_received_notificaties_are_listed_newest_first(ada, connected, utrecht):
    for number in (1, 2):
        ReceivedNotification.objects.create(
            organisation=utrecht, digest=str(number), kanaal="zaken",
            hoofd_object=f"https://zaken.example.nl/zaken/{number}", resource="zaak",
            resource_url=f"https://zaken.example.nl/zaken/{number}", actie="create",
            aanmaakdatum=timezone.now(), kenmerken={"bronorganisatie": "002220647"},
        )  # fmt: skip
    listed = ada.get("/api/v1/notificaties/received/")
    assert listed.status_code == 200
    assert [r["hoofd_object"][-1] for r in listed.json()["results"]] == ["2", "1"]


ENDPOINTS = [
    ("get", SETTINGS),
    ("put", SETTINGS),
    ("post", "/api/v1/notificaties/kanaal/"),
    ("post", "/api/v1/notificaties/abonnement/"),
    ("post", "/api/v1/notificaties/abonnement/remove/"),
    ("get", "/api/v1/notificaties/sent/"),
    ("get", "/api/v1/notificaties/received/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_another_municipality_gets_not_found(greta, connected, method, path):
    params = {"organisation": "utrecht"}
    if method == "get":
        response = greta.get(path, params)
    else:
        body = {"organisation": "utrecht"}
        if method == "put":
            body.update({"url": "https://x.example.nl/api/v1", "client_id": "c"})
        if path.endswith("abonnement/"):
            body["kanalen"] = [{"naam": "zaken"}]
        response = getattr(greta, method)(path, body, format="json")
    assert response.status_code == 404, response.content
    assert "Ada" not in response.content.decode() and CLIENT_ID not in response.content.decode()


def test_another_municipality_cannot_retry_ours(webchat, greta, connected, nrc):
    conversation, _token = webchat
    send(conversation, "Hallo")
    row = SentNotification.objects.get()
    response = greta.post(f"/api/v1/notificaties/sent/{row.pk}/retry/", {}, format="json")
    assert response.status_code == 404  # Groningen's own organisation: no such notificatie


def test_their_own_organisation_without_a_connection(greta, connected):
    assert greta.get(SETTINGS).status_code == 404
    assert greta.get("/api/v1/notificaties/sent/").json()["results"] == []


@pytest.mark.parametrize("person", ["lead_lotte", "auditor_aziz", "woo_wim", "agent_anna"])
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_other_roles_are_refused(request, as_user, connected, person, method, path):
    client = as_user(request.getfixturevalue(person))
    response = getattr(client, method)(path, {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_api_keys_are_refused(as_key, utrecht_api_key, connected, method, path):
    client = as_key(utrecht_api_key[1])
    response = getattr(client, method)(path, {}, format="json")
    assert response.status_code == 403


def test_without_login_nothing(client, connected):
    assert client.get(SETTINGS).status_code in (401, 403)


def test_an_administrator_of_two_names_the_organisation(ada, admin_ada, groningen, nrc, connected):
    from balie.accounts.actions import do_set_membership
    from balie.accounts.models import Role

    do_set_membership(admin_ada, groningen, Role.ADMIN)
    response = ada.get(SETTINGS)
    assert response.status_code == 400 and response.json()["code"] == "organisation_required"
    assert ada.get(SETTINGS, {"organisation": "utrecht"}).status_code == 200
    assert ada.get(SETTINGS, {"organisation": "groningen"}).status_code == 404  # none yet
    assert ada.get(SETTINGS, {"organisation": "nowhere"}).status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(
    webchat, ada, connected, nrc, django_assert_num_queries
):
    conversation, _token = webchat
    for number in range(5):
        send(conversation, f"bericht {number}")
    with django_assert_num_queries(5):  # session, user, memberships, count, page
        response = ada.get("/api/v1/notificaties/sent/")
    assert len(response.json()["results"]) == 5
