"""Setting up the Notificaties API and registering Balie's kanaal, against the fake."""

from __future__ import annotations

import pytest
from django.db import connection as db

from balie.archive.models import ArchiveEvent
from balie.conversations.actions.errors import ActionError
from balie.errors import NotAllowed, NotFound
from balie.integrations.notificaties.client import NotificatiesError
from balie.integrations.notificaties.connection import (
    ConnectionConflict,
    do_configure_connection,
    do_register_kanaal,
)
from balie.integrations.notificaties.models import Connection
from balie.integrations.notificaties.selectors import connection_settings
from balie.tenants.secrets import unseal
from tests.integrations.notificaties.conftest import CLIENT_ID, PUBLIC_URL, SECRET

pytestmark = pytest.mark.django_db


def test_the_connection_is_stored_with_its_secret_sealed(configured, utrecht, admin_ada, nrc):
    with db.cursor() as cursor:
        cursor.execute("SELECT * FROM notificaties_connection")
        row = cursor.fetchone()
    assert SECRET not in repr(row)
    assert unseal(configured.secret) == SECRET
    shown = connection_settings(admin_ada, utrecht.pk)
    assert shown["url"] == nrc.root and shown["client_id"] == CLIENT_ID
    assert shown["secret_set"] is True and SECRET not in repr(shown)
    assert shown["kanaal"] == "balie-gesprekken" and not shown["kanaal_registered"]
    assert shown["callback_url"] == (
        f"{PUBLIC_URL}/api/v1/notificaties/callback/{configured.callback_token}/"
    )
    event = ArchiveEvent.objects.get(event_type="notificaties.configured")
    assert event.payload["secret_changed"] is True and SECRET not in repr(event.payload)


def test_registering_the_kanaal_creates_it_once(connected, utrecht, admin_ada, nrc):
    (kanaal,) = nrc.kanalen.values()
    assert kanaal["naam"] == "balie-gesprekken"
    assert kanaal["filters"] == ["kanaal", "status", "richting"]
    assert kanaal["documentatieLink"] == f"{PUBLIC_URL}/api/v1/schema/"
    assert connected.kanaal_url == kanaal["url"]

    again = do_register_kanaal(utrecht.pk, actor=admin_ada)

    assert again.kanaal_url == kanaal["url"] and len(nrc.kanalen) == 1
    assert nrc.calls == ["kanaal_list", "kanaal_create", "kanaal_list"]
    assert ArchiveEvent.objects.filter(event_type="notificaties.kanaal_registered").count() == 2
    # Every call was in the administrator's name, for the API's audit trail.
    assert {(c["user_id"], c["user_representation"]) for c in nrc.claims} == {
        ("balie:admin_ada", "Ada")
    }


def test_an_existing_kanaal_that_fits_is_taken_over(configured, utrecht, admin_ada, nrc):
    nrc.kanalen["balie-gesprekken"] = {
        "url": f"{nrc.root}/kanaal/elsewhere", "naam": "balie-gesprekken",
        "documentatieLink": "https://docs.example.nl/", "filters": ["kanaal"],
    }  # fmt: skip
    registered = do_register_kanaal(utrecht.pk, actor=admin_ada)
    assert registered.kanaal_url == f"{nrc.root}/kanaal/elsewhere"
    assert "kanaal_create" not in nrc.calls


def test_a_kanaal_of_that_name_made_for_something_else_is_refused(
    configured, utrecht, admin_ada, nrc
):
    nrc.kanalen["balie-gesprekken"] = {
        "url": f"{nrc.root}/kanaal/zaken", "naam": "balie-gesprekken",
        "documentatieLink": "https://docs.example.nl/",
        "filters": ["bronorganisatie", "zaaktype"],
    }  # fmt: skip
    with pytest.raises(ConnectionConflict) as refused:
        do_register_kanaal(utrecht.pk, actor=admin_ada)
    assert refused.value.code == "kanaal_filters" and refused.value.field == "kanaal"
    assert "bronorganisatie" in refused.value.message
    assert Connection.objects.get().kanaal_url == ""


def test_a_wrong_secret_is_refused_by_the_api(utrecht, admin_ada, nrc):
    do_configure_connection(
        utrecht.pk, actor=admin_ada, url=nrc.root, client_id=CLIENT_ID, secret="another"
    )
    with pytest.raises(NotificatiesError) as refused:
        do_register_kanaal(utrecht.pk, actor=admin_ada)
    assert (refused.value.code, refused.value.remote_status) == ("notificaties_refused", 403)
    assert refused.value.retryable is False and "handtekening" in refused.value.message
    assert nrc.kanalen == {}


def test_an_unreachable_api_is_a_clear_error(utrecht, admin_ada, nrc):
    do_configure_connection(
        utrecht.pk, actor=admin_ada, url=nrc.root, client_id=CLIENT_ID, secret=SECRET
    )
    nrc.fail_operation("kanaal_list", "drop")
    with pytest.raises(NotificatiesError) as refused:
        do_register_kanaal(utrecht.pk, actor=admin_ada)
    assert refused.value.code == "notificaties_unreachable" and refused.value.retryable


def test_a_new_address_or_kanaal_name_is_registered_again(connected, utrecht, admin_ada, nrc):
    changed = do_configure_connection(
        utrecht.pk, actor=admin_ada, url=nrc.root, client_id=CLIENT_ID, kanaal="balie-2"
    )
    assert changed.kanaal_url == "" and unseal(changed.secret) == SECRET  # secret kept
    assert changed.callback_token == connected.callback_token
    do_register_kanaal(utrecht.pk, actor=admin_ada)
    assert set(nrc.kanalen) == {"balie-gesprekken", "balie-2"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "ftp://nrc.example.nl/api/v1"}, "url"),
        ({"url": "http://nrc.example.nl/api/v1"}, "url"),  # http only on this machine
        ({"url": "https://user:pw@nrc.example.nl/api/v1"}, "url"),
        ({"url": "https://nrc.example.nl/api/v1?x=1"}, "url"),
        ({"url": 12}, "url"),
        ({"client_id": "with space"}, "client_id"),
        ({"client_id": ""}, "client_id"),
        ({"secret": "x" * 1001}, "secret"),
        ({"kanaal": "-begins-with-a-hyphen"}, "kanaal"),
        ({"kanaal": "x" * 51}, "kanaal"),
        ({"enabled": "yes"}, "enabled"),
    ],
)
def test_bad_settings_are_refused_by_field(utrecht, admin_ada, fields, field):
    given = {"url": "https://nrc.example.nl/api/v1", "client_id": "c", "secret": "s", **fields}
    with pytest.raises(ActionError) as refused:
        do_configure_connection(utrecht.pk, actor=admin_ada, **given)
    assert refused.value.field == field and refused.value.status == 400
    assert not Connection.objects.exists()


def test_a_first_connection_needs_a_secret(utrecht, admin_ada):
    with pytest.raises(ActionError) as refused:
        do_configure_connection(
            utrecht.pk, actor=admin_ada, url="https://nrc.example.nl/api/v1", client_id="c"
        )
    assert refused.value.field == "secret"


def test_only_an_administrator_of_the_organisation_sets_it_up(
    utrecht, groningen, admin_greta, lead_lotte, auditor_aziz, utrecht_api_key
):
    for someone in (admin_greta, lead_lotte, auditor_aziz, utrecht_api_key[0], None):
        with pytest.raises(NotAllowed):
            do_configure_connection(
                utrecht.pk, actor=someone, url="https://nrc.example.nl/api/v1",
                client_id="c", secret="s",
            )  # fmt: skip
    assert not Connection.objects.exists()


def test_another_municipality_neither_registers_nor_reads(
    connected, utrecht, groningen, admin_greta
):
    with pytest.raises(NotAllowed):
        do_register_kanaal(utrecht.pk, actor=admin_greta)
    with pytest.raises(NotAllowed):
        connection_settings(admin_greta, utrecht.pk)
    # Groningen's own: nothing set up.
    assert connection_settings(admin_greta, groningen.pk) is None
    with pytest.raises(NotFound):
        do_register_kanaal(groningen.pk, actor=admin_greta)
