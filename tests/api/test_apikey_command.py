"""``balie apikey create|list|revoke``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from balie.accounts.models import ApiKey


def run(*args: str) -> str:
    out = StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


def test_create_prints_a_working_secret_once(utrecht, webchat):
    output = run(
        "create", "--organisation", "utrecht", "--name", "Zaaksysteem",
        "--scope", "conversations:read", "--scope", "contacts:read",
    )  # fmt: skip

    key = ApiKey.objects.get(name="Zaaksysteem")
    assert key.organisation == utrecht
    assert key.scopes == ["contacts:read", "conversations:read"]
    secret = output.strip().splitlines()[-1]
    assert secret.startswith(f"{key.prefix}.")
    assert secret.split(".", 1)[1] not in key.secret_hash
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/conversations/").status_code == 200
    assert client.post("/api/v1/conversations/1/status/", {}, format="json").status_code == 403


def test_create_refuses_unknown_scope_and_organisation(utrecht):
    with pytest.raises(CommandError):
        run("create", "--organisation", "utrecht", "--name", "x", "--scope", "alles")
    with pytest.raises(CommandError, match="Geen organisatie"):
        run("create", "--organisation", "amsterdam", "--name", "x", "--scope", "contacts:read")
    assert not ApiKey.objects.exists()


def test_list_shows_keys_of_one_organisation_without_secrets(utrecht_api_key, groningen_api_key):
    utrecht_key, utrecht_secret = utrecht_api_key
    groningen_key, _ = groningen_api_key

    output = run("list", "--organisation", "utrecht")

    assert utrecht_key.prefix in output
    assert groningen_key.prefix not in output
    assert utrecht_secret.split(".", 1)[1] not in output


def test_revoke(utrecht_api_key):
    key, secret = utrecht_api_key

    output = run("revoke", key.prefix)

    assert "ingetrokken" in output
    key.refresh_from_db()
    assert key.revoked_at is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/conversations/").status_code == 401
    with pytest.raises(CommandError, match="al ingetrokken"):
        run("revoke", key.prefix)
    with pytest.raises(CommandError, match="Geen API-sleutel"):
        run("revoke", "onbekend")
