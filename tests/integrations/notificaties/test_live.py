"""Both ways over real HTTP: Balie (a live server) subscribes at the fake Notificaties API,
which, as Open Notificaties does, tries Balie's callback while creating the abonnement (with
the agreed value, then without it) and later delivers a notificatie there."""

from __future__ import annotations

import pytest

from balie.integrations.notificaties.connection import do_configure_connection, do_register_kanaal
from balie.integrations.notificaties.models import ReceivedNotification
from balie.integrations.notificaties.subscription import do_subscribe, do_unsubscribe
from tests.integrations.notificaties.conftest import CLIENT_ID, SECRET
from tests.integrations.notificaties.fake_nrc import FakeNotificatiesApi

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads what we commit

NOTIFICATIE = {
    "kanaal": "zaken",
    "hoofdObject": "https://zaken.example.nl/api/v1/zaken/1",
    "resource": "zaak",
    "resourceUrl": "https://zaken.example.nl/api/v1/zaken/1",
    "actie": "partial_update",
    "aanmaakdatum": "2026-11-03T10:15:00+01:00",
    "kenmerken": {"bronorganisatie": "002220647"},
}


@pytest.fixture
def strict_nrc(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with FakeNotificatiesApi(CLIENT_ID, SECRET, check_callbacks=True) as fake:
        fake.kanalen["zaken"] = {
            "url": f"{fake.root}/kanaal/zaken", "naam": "zaken", "filters": ["bronorganisatie"],
        }  # fmt: skip
        yield fake
    assert fake.violations == [], "\n".join(fake.violations)


def test_subscribing_and_receiving_over_http(live_server, settings, utrecht, admin_ada, strict_nrc):
    settings.PUBLIC_URL = live_server.url
    do_configure_connection(
        utrecht.pk, actor=admin_ada, url=strict_nrc.root, client_id=CLIENT_ID, secret=SECRET
    )
    do_register_kanaal(utrecht.pk, actor=admin_ada)

    connection = do_subscribe(utrecht.pk, actor=admin_ada, kanalen=["zaken"])

    # The API tried the callback before it created the abonnement: Balie already knew the
    # value (committed before the call) and refused the try without it.
    assert strict_nrc.callback_answers == [("with auth", 204), ("without", 401)]
    assert connection.abonnement_url.startswith(strict_nrc.root)
    assert not ReceivedNotification.objects.exists()  # the try is on kanaal "test"

    assert strict_nrc.deliver(NOTIFICATIE) == [204]
    kept = ReceivedNotification.objects.get()
    assert (kept.kanaal, kept.actie, kept.kenmerken) == (
        "zaken", "partial_update", {"bronorganisatie": "002220647"},
    )  # fmt: skip

    (abonnement,) = strict_nrc.abonnementen.values()
    do_unsubscribe(utrecht.pk, actor=admin_ada)
    assert strict_nrc.deliver(NOTIFICATIE) == []  # nothing routed any more
    # A delivery still under way with the old value is refused.
    assert (
        strict_nrc._post_callback(abonnement["callbackUrl"], abonnement["auth"], NOTIFICATIE) == 403
    )
    assert ReceivedNotification.objects.count() == 1
