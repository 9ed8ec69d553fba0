"""Subscribing to kanalen of other systems and receiving their notificaties at Balie's
callback: the abonnement at the fake Notificaties API, the Authorization value (sealed,
compared in constant time), the body's checks and the received log."""

from __future__ import annotations

import json

import pytest
from django.db import connection as db
from rest_framework.test import APIClient

from balie.archive.models import ArchiveEvent
from balie.conversations.actions.errors import ActionError
from balie.errors import NotAllowed
from balie.integrations.notificaties import receiving
from balie.integrations.notificaties.client import NotificatiesError
from balie.integrations.notificaties.connection import (
    ConnectionConflict,
    do_configure_connection,
    do_register_kanaal,
)
from balie.integrations.notificaties.models import Connection, ReceivedNotification
from balie.integrations.notificaties.subscription import (
    do_subscribe,
    do_unsubscribe,
    kanalen_from_text,
)
from balie.tenants.secrets import unseal
from tests.integrations.notificaties.conftest import CLIENT_ID, SECRET

pytestmark = pytest.mark.django_db

ZAKEN = [{"naam": "zaken", "filters": {"bronorganisatie": "002220647"}}]
NOTIFICATIE = {
    "kanaal": "zaken",
    "hoofdObject": "https://zaken.example.nl/api/v1/zaken/5d2a7f2e-4b8c-4f61-9a3e-2c1b0d9e8f71",
    "resource": "status",
    "resourceUrl": "https://zaken.example.nl/api/v1/statussen/88fb1c5e-e899-456d-b077-6101a9829c11",
    "actie": "create",
    "aanmaakdatum": "2026-11-03T10:15:00Z",
    "kenmerken": {"bronorganisatie": "002220647", "zaaktype": "https://ztc.example.nl/zt/1"},
}


@pytest.fixture
def zaken_kanaal(nrc):
    """The kanaal another system (Open Zaak) publishes on."""
    nrc.kanalen["zaken"] = {
        "url": f"{nrc.root}/kanaal/zaken", "naam": "zaken",
        "documentatieLink": "https://zaken.example.nl/docs", "filters": ["bronorganisatie"],
    }  # fmt: skip


@pytest.fixture
def subscribed(connected, zaken_kanaal, utrecht, admin_ada):
    return do_subscribe(utrecht.pk, actor=admin_ada, kanalen=ZAKEN)


def _auth(nrc) -> str:
    """The value the fake, like the real one, will send with every delivery."""
    (abonnement,) = nrc.abonnementen.values()
    return abonnement["auth"]


def _deliver(connection, body, *, auth, content_type="application/json", raw=None):
    path = f"/api/v1/notificaties/callback/{connection.callback_token}/"
    headers = {"HTTP_AUTHORIZATION": auth} if auth is not None else {}
    data = raw if raw is not None else json.dumps(body)
    return APIClient().post(path, data=data, content_type=content_type, **headers)


# --- the abonnement --------------------------------------------------------------------------


def test_subscribing_creates_an_abonnement_for_the_callback(subscribed, utrecht, nrc):
    (abonnement,) = nrc.abonnementen.values()
    assert abonnement["callbackUrl"] == (
        f"https://balie.example.nl/api/v1/notificaties/callback/{subscribed.callback_token}/"
    )
    assert abonnement["kanalen"] == ZAKEN
    assert abonnement["auth"].startswith("Bearer ") and len(abonnement["auth"]) > 40
    assert subscribed.abonnement_url == abonnement["url"]
    assert unseal(subscribed.callback_auth) == abonnement["auth"]
    with db.cursor() as cursor:
        cursor.execute("SELECT callback_auth FROM notificaties_connection")
        (stored,) = cursor.fetchone()
    assert abonnement["auth"] not in stored and abonnement["auth"][7:] not in stored
    event = ArchiveEvent.objects.get(event_type="notificaties.subscribed")
    assert event.payload["kanalen"] == ZAKEN and abonnement["auth"][7:] not in repr(event.payload)


def test_subscribing_again_is_refused_until_removed(subscribed, utrecht, admin_ada):
    with pytest.raises(ConnectionConflict) as refused:
        do_subscribe(utrecht.pk, actor=admin_ada, kanalen=ZAKEN)
    assert refused.value.code == "already_subscribed"


def test_an_abonnement_left_by_an_interrupted_attempt_is_replaced(
    connected, zaken_kanaal, utrecht, admin_ada, nrc
):
    nrc.fail_operation("abonnement_create", "lost")  # created, but the answer never came
    with pytest.raises(NotificatiesError):
        do_subscribe(utrecht.pk, actor=admin_ada, kanalen=ZAKEN)
    (left,) = nrc.abonnementen.values()
    assert Connection.objects.get().abonnement_url == ""

    connection = do_subscribe(utrecht.pk, actor=admin_ada, kanalen=ZAKEN)

    (kept,) = nrc.abonnementen.values()  # one, not two
    assert kept["url"] != left["url"] and connection.abonnement_url == kept["url"]
    assert _deliver(connection, NOTIFICATIE, auth=left["auth"]).status_code == 403
    assert _deliver(connection, NOTIFICATIE, auth=kept["auth"]).status_code == 204


def test_removing_the_abonnement_stops_every_delivery(subscribed, utrecht, admin_ada, nrc):
    auth = _auth(nrc)
    connection = do_unsubscribe(utrecht.pk, actor=admin_ada)
    assert nrc.abonnementen == {} and "abonnement_delete" in nrc.calls
    assert (connection.abonnement_url, connection.callback_auth) == ("", "")
    assert _deliver(connection, NOTIFICATIE, auth=auth).status_code == 403
    assert not ReceivedNotification.objects.exists()
    with pytest.raises(ConnectionConflict):
        do_unsubscribe(utrecht.pk, actor=admin_ada)


def test_an_unreachable_api_keeps_the_abonnement_unless_told_to_forget(
    subscribed, utrecht, admin_ada, nrc
):
    nrc.fail_always("abonnement_list", "drop")
    nrc.fail_always("abonnement_delete", "drop")
    with pytest.raises(NotificatiesError):
        do_unsubscribe(utrecht.pk, actor=admin_ada)
    assert Connection.objects.get().abonnement_url

    forgotten = do_unsubscribe(utrecht.pk, actor=admin_ada, forget=True)
    assert forgotten.abonnement_url == "" and forgotten.callback_auth == ""
    assert ArchiveEvent.objects.get(event_type="notificaties.unsubscribed").payload["forgotten"]


def test_the_address_cannot_change_while_subscribed(subscribed, utrecht, admin_ada):
    with pytest.raises(ConnectionConflict) as refused:
        do_configure_connection(
            utrecht.pk, actor=admin_ada, url="https://elders.example.nl/api/v1",
            client_id=CLIENT_ID,
        )  # fmt: skip
    assert (refused.value.code, refused.value.field) == ("subscribed", "url")


def test_a_kanaal_the_api_does_not_have_is_its_refusal(connected, utrecht, admin_ada, nrc):
    with pytest.raises(NotificatiesError) as refused:
        do_subscribe(utrecht.pk, actor=admin_ada, kanalen=["zaken"])
    assert refused.value.remote_status == 400 and "bestaat niet" in refused.value.message


@pytest.mark.parametrize(
    ("kanalen", "field"),
    [
        ([], "kanalen"),
        ("zaken", "kanalen"),
        ([{"naam": ""}], "kanalen.0.naam"),
        ([{"naam": "x" * 51}], "kanalen.0.naam"),
        (["zaken", "zaken"], "kanalen.1.naam"),
        ([{"naam": "zaken", "filters": ["a"]}], "kanalen.0.filters"),
        ([{"naam": "zaken", "filters": {"a": 1}}], "kanalen.0.filters.a"),
        ([{"naam": "zaken", "other": 1}], "kanalen.0"),
        ([f"k{n}" for n in range(21)], "kanalen"),
    ],
)
def test_kanalen_are_checked_before_any_call(connected, utrecht, admin_ada, nrc, kanalen, field):
    calls = len(nrc.calls)
    with pytest.raises(ActionError) as refused:
        do_subscribe(utrecht.pk, actor=admin_ada, kanalen=kanalen)
    assert refused.value.field == field
    assert len(nrc.calls) == calls


def test_the_console_writes_kanalen_one_per_line():
    text = "zaken bronorganisatie=002220647 zaaktype=https://ztc/zt/1\n\n  objecten \n"
    assert kanalen_from_text(text) == [
        {"naam": "zaken", "filters": {"bronorganisatie": "002220647", "zaaktype": "https://ztc/zt/1"}},
        {"naam": "objecten", "filters": {}},
    ]  # fmt: skip
    with pytest.raises(ActionError):
        kanalen_from_text("zaken bronorganisatie")


def test_only_the_organisations_administrator_subscribes(
    connected, zaken_kanaal, utrecht, admin_greta, lead_lotte, nrc
):
    for someone in (admin_greta, lead_lotte):
        with pytest.raises(NotAllowed):
            do_subscribe(utrecht.pk, actor=someone, kanalen=ZAKEN)
        with pytest.raises(NotAllowed):
            do_unsubscribe(utrecht.pk, actor=someone)
    assert nrc.abonnementen == {}


# --- the callback ----------------------------------------------------------------------------


def test_a_delivery_with_the_agreed_value_is_kept_once(subscribed, utrecht, nrc):
    response = _deliver(subscribed, NOTIFICATIE, auth=_auth(nrc))
    assert response.status_code == 204 and response.content == b""
    again = _deliver(subscribed, NOTIFICATIE, auth=_auth(nrc))  # its answer was lost
    assert again.status_code == 204

    (kept,) = ReceivedNotification.objects.for_organisation(utrecht)
    assert (kept.kanaal, kept.resource, kept.actie) == ("zaken", "status", "create")
    assert kept.hoofd_object == NOTIFICATIE["hoofdObject"]
    assert kept.resource_url == NOTIFICATIE["resourceUrl"]
    assert kept.kenmerken == NOTIFICATIE["kenmerken"]
    assert kept.aanmaakdatum.isoformat() == "2026-11-03T10:15:00+00:00"


def test_the_value_is_compared_in_constant_time(subscribed, nrc, monkeypatch):
    compared = []
    original = receiving.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(receiving.hmac, "compare_digest", spy)
    assert _deliver(subscribed, NOTIFICATIE, auth=_auth(nrc) + "x").status_code == 403
    assert len(compared) == 1


@pytest.mark.parametrize(
    ("auth", "status", "code"),
    [
        (None, 401, "not_authenticated"),
        ("", 401, "not_authenticated"),
        ("Bearer wrong", 403, "permission_denied"),
        ("bearer", 403, "permission_denied"),
    ],
)
def test_a_delivery_without_the_agreed_value_is_refused(subscribed, auth, status, code):
    response = _deliver(subscribed, NOTIFICATIE, auth=auth)
    assert response.status_code == status and response.json()["code"] == code
    assert not ReceivedNotification.objects.exists()


def test_the_agreed_value_with_a_case_change_is_refused(subscribed, nrc):
    assert _deliver(subscribed, NOTIFICATIE, auth=_auth(nrc).lower()).status_code == 403


def test_an_unknown_callback_address_is_not_found(subscribed, nrc):
    response = APIClient().post(
        "/api/v1/notificaties/callback/unknown/", data=NOTIFICATIE, format="json",
        HTTP_AUTHORIZATION=_auth(nrc),
    )  # fmt: skip
    assert response.status_code == 404


def test_one_organisations_value_does_not_open_another_organisations_callback(
    subscribed, groningen, admin_greta, nrc
):
    theirs = do_configure_connection(
        groningen.pk, actor=admin_greta, url=nrc.root, client_id="balie-groningen",
        secret="groningen-secret",
    )  # fmt: skip
    assert _deliver(theirs, NOTIFICATIE, auth=_auth(nrc)).status_code == 403
    assert not ReceivedNotification.objects.exists()


def test_a_notificatie_on_a_kanaal_not_subscribed_to_is_acknowledged_not_kept(subscribed, nrc):
    test = {**NOTIFICATIE, "kanaal": "test"}  # Open Notificaties' check while subscribing
    assert _deliver(subscribed, test, auth=_auth(nrc)).status_code == 204
    assert not ReceivedNotification.objects.exists()


def test_fields_the_standard_does_not_name_are_ignored(subscribed, nrc):
    body = {**NOTIFICATIE, "source": "open-zaak", "extra": {"nested": True}}
    assert _deliver(subscribed, body, auth=_auth(nrc)).status_code == 204
    assert ReceivedNotification.objects.get().source == "open-zaak"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kanaal": None}, "kanaal"),
        ({"kanaal": ""}, "kanaal"),
        ({"kanaal": "x" * 51}, "kanaal"),
        ({"resource": 12}, "resource"),
        ({"actie": None}, "actie"),
        ({"source": "x" * 101}, "source"),
        ({"hoofdObject": "not an address"}, "hoofdObject"),
        ({"hoofdObject": "javascript:alert(1)"}, "hoofdObject"),
        ({"resourceUrl": "https://x/" + "a" * 1000}, "resourceUrl"),
        ({"aanmaakdatum": "gisteren"}, "aanmaakdatum"),
        ({"aanmaakdatum": "2026-11-03T10:15:00"}, "aanmaakdatum"),  # no offset
        ({"aanmaakdatum": "2026-02-30T10:15:00Z"}, "aanmaakdatum"),
        ({"kenmerken": ["a"]}, "kenmerken"),
        ({"kenmerken": {"zaaktype": 3}}, "kenmerken.zaaktype"),
        ({"kenmerken": {"x": "y" * 1001}}, "kenmerken.x"),
    ],
)
def test_a_malformed_notificatie_is_refused_precisely_and_not_kept(subscribed, nrc, change, field):
    body = {**NOTIFICATIE, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = _deliver(subscribed, body, auth=_auth(nrc))
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid_field" and list(answer["fields"]) == [field]
    assert not ReceivedNotification.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b'{"kanaal": NaN}', b""],
)
def test_a_body_that_is_no_json_object_is_refused(subscribed, nrc, raw):
    response = _deliver(subscribed, None, auth=_auth(nrc), raw=raw)
    assert response.status_code == 400 and response.json()["code"] == "malformed_json"
    assert not ReceivedNotification.objects.exists()


def test_a_text_the_database_cannot_store_is_refused(subscribed, nrc):
    raw = json.dumps({**NOTIFICATIE, "actie": "cre\u0000ate"}).encode()
    response = _deliver(subscribed, None, auth=_auth(nrc), raw=raw)
    assert response.status_code == 400 and response.json()["code"] == "invalid_text"


def test_an_oversized_notificatie_is_refused_unread(subscribed, nrc):
    body = {**NOTIFICATIE, "kenmerken": {f"k{n}": "x" * 1000 for n in range(70)}}
    response = _deliver(subscribed, body, auth=_auth(nrc))
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert "65536" in response.json()["detail"]
    assert not ReceivedNotification.objects.exists()


def test_a_body_longer_than_declared_is_refused_after_reading():
    with pytest.raises(receiving.BodyTooLarge):
        receiving.notificatie_from(b" " * (receiving.MAX_BODY_BYTES + 1), "application/json")


def test_a_body_that_is_not_json_by_its_type_is_refused(subscribed, nrc):
    response = _deliver(subscribed, NOTIFICATIE, auth=_auth(nrc), content_type="text/plain")
    assert response.status_code == 415
    assert not ReceivedNotification.objects.exists()


def test_the_callback_needs_no_login_and_no_csrf(subscribed, nrc, agent_anna):
    logged_in = APIClient(enforce_csrf_checks=True)
    logged_in.force_login(agent_anna)
    response = logged_in.post(
        f"/api/v1/notificaties/callback/{subscribed.callback_token}/", data=NOTIFICATIE,
        format="json", HTTP_AUTHORIZATION=_auth(nrc),
    )  # fmt: skip
    assert response.status_code == 204


def test_the_secrets_never_appear_in_plain_text_anywhere_in_the_database(subscribed, nrc):
    _deliver(subscribed, NOTIFICATIE, auth=_auth(nrc))
    secrets = [SECRET, _auth(nrc), _auth(nrc).removeprefix("Bearer ")]
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")  # noqa: S608
            dumped = repr(cursor.fetchall())
            assert not any(secret in dumped for secret in secrets), table


def test_registering_needs_no_abonnement_and_the_kanaal_can_be_subscribed_to(
    connected, utrecht, admin_ada, nrc
):
    """Balie's own kanaal is a kanaal like another: an organisation may subscribe to it."""
    do_register_kanaal(utrecht.pk, actor=admin_ada)
    connection = do_subscribe(utrecht.pk, actor=admin_ada, kanalen=["balie-gesprekken"])
    assert connection.abonnement_kanalen == [{"naam": "balie-gesprekken", "filters": {}}]
