"""The 24-hour window and templates in the API and the console's JSON endpoints: who may
read, send and manage, and another organisation's never."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from balie.accounts.actions import do_create_api_key, do_create_staff_user, do_set_membership
from balie.accounts.models import ApiScope, Role
from balie.archive.models import ArchiveEvent
from balie.connectors.inbound import Inbound, do_receive
from balie.connectors.models import ChannelThread
from balie.connectors.whatsapp.models import Template, TemplateMessage
from balie.connectors.whatsapp.templates import do_add_template
from balie.conversations import tasks
from balie.conversations.models import DeliveryStatus, Message
from tests.connectors.whatsapp.conftest import RESIDENT

pytestmark = pytest.mark.urls("tests.connectors.whatsapp.urls")


@pytest.fixture
def conversation(account):
    return do_receive(account, Inbound("wamid.API", RESIDENT, "Vraag")).conversation


@pytest.fixture
def template(account):
    return do_add_template(
        account, actor=None, name="herinnering", language="nl",
        body="Beste {{1}}, wij wachten nog op uw antwoord.", approved=True,
    )  # fmt: skip


@pytest.fixture
def admin_ada(utrecht):
    user = do_create_staff_user(username="admin_ada", password="correct-horse-battery-9")
    do_set_membership(user, utrecht, Role.ADMIN)
    return user


def _as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _key(organisation, scopes) -> APIClient:
    _, secret = do_create_api_key(organisation, name="k", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_the_window_and_its_templates(conversation, template, agent_anna, account):
    do_add_template(account, actor=None, name="nog_niet", language="nl", body="x")  # unapproved
    answer = _as(agent_anna).get(f"/api/v1/conversations/{conversation.pk}/whatsapp/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["open"] is True
    closes_at = ChannelThread.objects.get().last_inbound_at + timedelta(hours=24)
    assert datetime.fromisoformat(data["closes_at"]) == closes_at
    assert [t["name"] for t in data["templates"]] == ["herinnering"]
    assert data["templates"][0]["parameters"] == 1

    ChannelThread.objects.update(last_inbound_at=timezone.now() - timedelta(days=2))
    assert (
        _as(agent_anna).get(f"/api/v1/conversations/{conversation.pk}/whatsapp/").json()["open"]
        is False
    )


def test_sending_a_template_through_the_api(conversation, template, agent_anna, fake_graph):
    ChannelThread.objects.update(last_inbound_at=timezone.now() - timedelta(days=2))
    url = f"/api/v1/conversations/{conversation.pk}/whatsapp/templates/"
    body = {"template": template.pk, "parameters": ["heer Jansen"], "client_id": "tmpl-0001-xyz"}
    first = _as(agent_anna).post(url, body, format="json")
    assert first.status_code == 201
    assert first.json()["body"] == "Beste heer Jansen, wij wachten nog op uw antwoord."
    assert first.json()["delivery_status"] == "pending"
    again = _as(agent_anna).post(url, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert TemplateMessage.objects.count() == 1
    assert tasks.deliver_outbound.call(first.json()["id"]) == DeliveryStatus.SENT
    assert fake_graph.sent[0]["template"]["name"] == "herinnering"
    event = ArchiveEvent.objects.get(event_type="whatsapp.template_sent")
    assert event.payload["parameters"] == ["heer Jansen"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"parameters": []}, "invalid_parameters"),
        ({"parameters": ["a", "b"]}, "invalid_parameters"),
        ({"parameters": ["met\nnieuwe regel"]}, "invalid_parameters"),
        ({"parameters": ["x"], "template": 999999}, "unknown_template"),
        ({"parameters": ["x"], "extra": 1}, None),
    ],
)
def test_a_template_send_that_does_not_fit_is_refused(
    conversation, template, agent_anna, body, code
):
    url = f"/api/v1/conversations/{conversation.pk}/whatsapp/templates/"
    sent = {"template": template.pk, "client_id": "tmpl-0002-xyz", **body}
    answer = _as(agent_anna).post(url, sent, format="json")
    assert answer.status_code in (400, 404)
    if code:
        assert answer.json()["code"] == code
    assert not Message.objects.filter(direction="outbound").exists()


def test_an_unapproved_template_is_not_sent(conversation, account, agent_anna):
    draft = do_add_template(account, actor=None, name="concept", language="nl", body="Hallo")
    url = f"/api/v1/conversations/{conversation.pk}/whatsapp/templates/"
    answer = _as(agent_anna).post(
        url, {"template": draft.pk, "client_id": "tmpl-0003-xyz"}, format="json"
    )
    assert answer.status_code == 404 and answer.json()["code"] == "unknown_template"


def test_another_organisation_sees_and_sends_nothing(
    conversation, template, agent_gerrit, groningen, utrecht
):
    gerrit = _as(agent_gerrit)
    assert gerrit.get(f"/api/v1/conversations/{conversation.pk}/whatsapp/").status_code == 404
    answer = gerrit.post(
        f"/api/v1/conversations/{conversation.pk}/whatsapp/templates/",
        {"template": template.pk, "parameters": ["x"], "client_id": "tmpl-0004-xyz"},
        format="json",
    )
    assert answer.status_code == 404
    key = _key(groningen, list(ApiScope.values))
    assert key.get(f"/api/v1/conversations/{conversation.pk}/whatsapp/").status_code == 404
    # Utrecht's own key may read the window and send a template.
    own = _key(utrecht, list(ApiScope.values))
    assert own.get(f"/api/v1/conversations/{conversation.pk}/whatsapp/").status_code == 200


def test_a_template_from_another_organisation_cannot_be_sent(
    conversation, groningen_account, agent_anna
):
    theirs = do_add_template(
        groningen_account, actor=None, name="groningen", language="nl", body="Moi", approved=True
    )
    answer = _as(agent_anna).post(
        f"/api/v1/conversations/{conversation.pk}/whatsapp/templates/",
        {"template": theirs.pk, "client_id": "tmpl-0005-xyz"},
        format="json",
    )
    assert answer.status_code == 404


def test_administrators_manage_the_templates(account, admin_ada, agent_anna, utrecht):
    ada = _as(admin_ada)
    created = ada.post(
        "/api/v1/whatsapp/templates/",
        {"channel": account.pk, "name": "afspraak_bevestigd", "language": "nl",
         "body": "Uw afspraak op {{1}} om {{2}} staat vast."},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    assert created.json()["approved"] is False and created.json()["parameters"] == 2
    template_id = created.json()["id"]
    changed = ada.patch(
        f"/api/v1/whatsapp/templates/{template_id}/", {"approved": True}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["approved"] is True
    assert [t["name"] for t in ada.get("/api/v1/whatsapp/templates/").json()] == [
        "afspraak_bevestigd"
    ]
    assert ArchiveEvent.objects.filter(event_type__startswith="whatsapp.template_").count() == 2
    # Not an agent, not a key.
    assert (
        _as(agent_anna)
        .post(
            "/api/v1/whatsapp/templates/",
            {"channel": account.pk, "name": "x", "language": "nl", "body": "x"},
            format="json",
        )
        .status_code
        == 404
    )
    assert _as(agent_anna).get("/api/v1/whatsapp/templates/").json() == []
    key = _key(utrecht, list(ApiScope.values))
    assert key.get("/api/v1/whatsapp/templates/").status_code == 403


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Met Hoofdletters"}, "name"),
        ({"language": "nederlands"}, "language"),
        ({"body": "Gat in {{1}} en {{3}}"}, "body"),
    ],
)
def test_a_template_that_meta_would_not_have_is_refused(account, admin_ada, fields, field):
    sent = {
        "channel": account.pk,
        "name": "goed",
        "language": "nl",
        "body": "Hallo {{1}}",
        **fields,
    }
    answer = _as(admin_ada).post("/api/v1/whatsapp/templates/", sent, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    assert not Template.objects.exists()


def test_another_organisations_administrator_manages_nothing_here(
    account, template, groningen, groningen_account
):
    greet = do_create_staff_user(username="admin_greet", password="correct-horse-battery-9")
    do_set_membership(greet, groningen, Role.ADMIN)
    client = _as(greet)
    assert [t["name"] for t in client.get("/api/v1/whatsapp/templates/").json()] == []
    assert (
        client.patch(
            f"/api/v1/whatsapp/templates/{template.pk}/", {"approved": False}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/whatsapp/templates/",
            {"channel": account.pk, "name": "x", "language": "nl", "body": "x"},
            format="json",
        ).status_code
        == 404
    )


# the console's JSON endpoints


def test_the_console_asks_for_the_window_and_sends_a_template(
    client, conversation, template, agent_anna
):
    client.force_login(agent_anna)
    window = client.get(f"/console/conversations/{conversation.pk}/whatsapp/")
    assert window.status_code == 200 and window.json()["open"] is True
    answer = client.post(
        f"/console/conversations/{conversation.pk}/whatsapp/template/",
        {"template": template.pk, "parameters": ["Sanne"], "client_id": "console-tmpl-01"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert answer.json()["message"]["body"] == "Beste Sanne, wij wachten nog op uw antwoord."
    refused = client.post(
        f"/console/conversations/{conversation.pk}/whatsapp/template/",
        {"template": template.pk, "parameters": [], "client_id": "console-tmpl-02"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_parameters"


def test_the_console_endpoints_for_another_organisation(client, conversation, agent_gerrit):
    client.force_login(agent_gerrit)
    assert client.get(f"/console/conversations/{conversation.pk}/whatsapp/").status_code == 404
    assert client.get("/console/utrecht/whatsapp/templates/").status_code == 404
    client.logout()
    assert client.get(f"/console/conversations/{conversation.pk}/whatsapp/").status_code == 401


def test_the_console_template_settings_for_administrators(client, account, admin_ada, agent_anna):
    client.force_login(agent_anna)
    assert client.get("/console/utrecht/whatsapp/templates/").status_code == 404
    client.force_login(admin_ada)
    created = client.post(
        "/console/utrecht/whatsapp/templates/",
        {"channel": account.pk, "name": "welkom", "language": "nl", "body": "Welkom!"},
        content_type="application/json",
    )
    assert created.status_code == 201
    template_id = created.json()["template"]["id"]
    changed = client.post(
        f"/console/utrecht/whatsapp/templates/{template_id}/",
        {"approved": True},
        content_type="application/json",
    )
    assert changed.json()["template"]["approved"] is True
    listed = client.get("/console/utrecht/whatsapp/templates/").json()["templates"]
    assert [(t["name"], t["approved"]) for t in listed] == [("welkom", True)]
