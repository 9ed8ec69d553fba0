"""Channel accounts in the console and over the API: administrators only, secrets written
and never read back, other organisations see nothing."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.connectors.models import ChannelAccount
from tests.api.openapi import assert_matches_contract
from tests.conftest import PASSWORD
from tests.connectors.conftest import SECRET


@pytest.fixture
def admin_ada(utrecht):
    user = do_create_staff_user(username="admin_ada", password=PASSWORD, first_name="Ada")
    do_set_membership(user, utrecht, Role.ADMIN)
    return user


@pytest.fixture
def admin_greet(groningen):
    user = do_create_staff_user(username="admin_greet", password=PASSWORD, first_name="Greet")
    do_set_membership(user, groningen, Role.ADMIN)
    return user


def test_console(client, utrecht, admin_ada, admin_greet, agent_anna, stand_in):
    client.force_login(admin_ada)
    assert "/console/utrecht/channels/" in client.get("/console/utrecht/").text
    page = client.get("/console/utrecht/channels/")
    assert page.status_code == 200 and 'name="secret_token"' in page.text
    form = {"kind": "telegram", "name": "Bot", "setting_bot": "utrecht_bot", "secret_token": SECRET}
    added = client.post("/console/utrecht/channels/add/", form)
    assert added.status_code == 302
    account = ChannelAccount.objects.get()
    page = client.get("/console/utrecht/channels/").text
    assert account.public_id in page and SECRET not in page
    refused = client.post("/console/utrecht/channels/add/", {"kind": "telegram", "name": "X"})
    assert refused.status_code == 400
    changed = client.post(f"/console/utrecht/channels/{account.pk}/", {"setting_bot": "b2"})
    assert changed.status_code == 302
    account.refresh_from_db()
    assert account.settings["bot"] == "b2" and not account.enabled
    for outsider in (agent_anna, admin_greet):
        client.force_login(outsider)
        assert client.get("/console/utrecht/channels/").status_code == 404
        answer = client.post(f"/console/utrecht/channels/{account.pk}/", {"enabled": "on"})
        assert answer.status_code == 404
    account.refresh_from_db()
    assert not account.enabled


def test_api(utrecht, admin_ada, admin_greet, utrecht_api_key, stand_in):
    api = APIClient()
    api.force_login(admin_ada)
    body = {
        "kind": "telegram",
        "name": "Bot",
        "settings": {"bot": "b"},
        "secrets": {"token": SECRET},
    }
    created = api.post("/api/v1/channels/", body, format="json")
    assert_matches_contract(created, "/api/v1/channels/", "post")
    assert created.status_code == 201 and SECRET not in json.dumps(created.json())
    assert created.json()["secrets"] == {"token": True}
    channel = created.json()["id"]
    listed = api.get("/api/v1/channels/")
    assert_matches_contract(listed, "/api/v1/channels/")
    changed = api.patch(f"/api/v1/channels/{channel}/", {"enabled": False}, format="json")
    assert_matches_contract(changed, "/api/v1/channels/{channel_id}/", "patch")
    assert changed.json()["enabled"] is False
    assert api.patch(f"/api/v1/channels/{channel}/", {"x": 1}, format="json").status_code == 400
    key = APIClient()
    key.credentials(HTTP_AUTHORIZATION=f"Bearer {utrecht_api_key[1]}")
    assert key.get("/api/v1/channels/").status_code == 403
    other = APIClient()
    other.force_login(admin_greet)
    assert other.get("/api/v1/channels/").json() == []
    assert other.get(f"/api/v1/channels/{channel}/").status_code == 404
    assert (
        other.patch(f"/api/v1/channels/{channel}/", {"enabled": True}, format="json").status_code
        == 404
    )
