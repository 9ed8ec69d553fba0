"""Woo requests in the console: the dashboard, registering, one request's page with its
documents (every view audited), handling it, and the package download; roles and tenants."""

from __future__ import annotations

import io
import zipfile

import pytest

from balie.archive.models import AuditEntry
from balie.search.actions import do_save_search
from balie.woo.actions import do_register_request
from balie.woo.models import WooRequest
from tests.factories import send

WOO = "/console/utrecht/woo/"


def _as(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def woo_request(utrecht, woo_wim):
    return do_register_request(
        utrecht.pk, actor=woo_wim, reference="WOO-2026-014", received_on="2026-11-03",
        subject="Berichten over de kermis", requester_name="J. Jansen",
    )  # fmt: skip


def test_the_dashboard_and_registering(client, utrecht, woo_wim, utrecht_team):
    page = _as(client, woo_wim).get(WOO)
    assert page.status_code == 200 and "Woo-verzoeken" in page.text
    assert WOO in client.get("/console/utrecht/").text  # the link in the inbox
    done = client.post(
        WOO + "register/",
        {"reference": "WOO-2026-015", "received_on": "2026-11-03", "subject": "Kermis",
         "requester_name": "P. Smit"},
    )  # fmt: skip
    assert done.status_code == 302 and done.url.endswith("/woo/WOO-2026-015/")
    detail = client.get(done.url)
    assert "1 december 2026" in detail.text and "P. Smit" in detail.text
    refused = client.post(WOO + "register/", {"reference": "W", "received_on": "3 nov",
                                             "subject": "x"})  # fmt: skip
    assert refused.status_code == 400 and "JJJJ-MM-DD" in refused.text


def test_an_auditor_reads_without_the_requester_and_others_see_nothing(
    client, woo_request, auditor_aziz, agent_anna, agent_gerrit, utrecht_team
):
    page = _as(client, auditor_aziz).get(WOO + "WOO-2026-014/")
    assert page.status_code == 200 and "J. Jansen" not in page.text
    assert "Verdelen" not in page.text and 'name="action"' not in page.text  # no forms
    assert client.post(WOO + "WOO-2026-014/act/", {"action": "propose"}).status_code == 403
    for outsider in (agent_anna, agent_gerrit):
        assert _as(client, outsider).get(WOO).status_code == 404
        assert client.get(WOO + "WOO-2026-014/").status_code == 404
        assert client.get(WOO + "WOO-2026-014/package/").status_code == 404


def test_handling_a_request_from_its_page(client, utrecht, woo_wim, woo_request, utrecht_team):
    from balie.conversations import actions

    conversation, _ = actions.do_start_webchat(utrecht)
    send(conversation, "Over de kermis: ik ben Fatima el Amrani, bel 06-12345678")
    saved = do_save_search(woo_wim, utrecht, name="Kermis", query="kermis", filters={})
    act = WOO + "WOO-2026-014/act/"
    _as(client, woo_wim)
    assert client.post(act, {"action": "collect", "saved_search": saved.pk}).status_code == 302
    assert client.post(act, {"action": "propose"}).status_code == 302
    assert client.post(act, {"action": "decide", "document": 1, "decision": "deels_openbaar",
                             "grounds": "5.1.2e"}).status_code == 302  # fmt: skip
    assert client.post(act, {"action": "extend", "days": 7, "reason": "Veel"}).status_code == 302
    refused = client.post(act, {"action": "extend", "days": 3, "reason": "Nog eens"})
    assert refused.status_code == 400
    assert client.post(act, {"action": "decide", "document": 99}).status_code == 404
    page = client.get(WOO + "WOO-2026-014/")
    assert "8 december 2026" in page.text and "Deels openbaar" in page.text
    # every view of the documents is in the audit log
    assert AuditEntry.objects.filter(
        action="conversation.list", detail__filters__woo_request="WOO-2026-014"
    ).exists()
    download = client.get(WOO + "WOO-2026-014/package/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert "WOO-2026-014-001.pdf" in names
    assert AuditEntry.objects.filter(action="woo.package").exists()


def test_a_request_of_another_organisation_is_not_found(client, groningen, woo_request, utrecht):
    assert WooRequest.objects.filter(organisation=utrecht).count() == 1
    from balie.accounts.actions import do_create_staff_user, do_set_membership
    from balie.accounts.models import Role

    other = do_create_staff_user(username="woo_groningen", password="correct-horse-battery")
    do_set_membership(other, groningen, Role.WOO_OFFICER)
    _as(client, other)
    assert client.get("/console/groningen/woo/WOO-2026-014/").status_code == 404
    assert client.get(WOO).status_code == 404
