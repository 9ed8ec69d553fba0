"""The fake Notificaties API is as strict as its contract: what the contract refuses, it
records as a violation (so the other tests prove Balie's calls are valid, not only that the
fake was lenient)."""

from __future__ import annotations

import pytest
import requests

from balie.integrations.notificaties.jwt import zgw_token
from tests.integrations.notificaties.conftest import CLIENT_ID, SECRET
from tests.integrations.notificaties.fake_nrc import FakeNotificatiesApi


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with FakeNotificatiesApi(CLIENT_ID, SECRET) as running:
        yield running


def _bearer(secret: str = SECRET) -> dict[str, str]:
    token = zgw_token(CLIENT_ID, secret, user_id="test", user_representation="Test")
    return {"Authorization": f"Bearer {token}"}


MESSAGE = {
    "kanaal": "k", "hoofdObject": "https://b.example.nl/1", "resource": "r",
    "resourceUrl": "https://b.example.nl/1", "actie": "create",
    "aanmaakdatum": "2026-01-01T00:00:00Z",
}  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, MESSAGE),  # no Authorization: the JWT-Claims scheme is required
        ({"Authorization": "Token abc"}, MESSAGE),  # another scheme
        (None, {k: v for k, v in MESSAGE.items() if k != "actie"}),  # a required field
        (None, {**MESSAGE, "kanaal": "x" * 51}),  # past maxLength
        (None, {**MESSAGE, "hoofdObject": "not a uri"}),
        (None, {**MESSAGE, "kenmerken": {"a": 1}}),
    ],
)
def test_what_the_contract_refuses_is_a_violation(fake, headers, body):
    sent = requests.post(
        f"{fake.root}/notificaties", json=body, headers=_bearer() if headers is None else headers,
        timeout=5,
    )  # fmt: skip
    assert sent.status_code == 400 and sent.headers["Content-Type"] == "application/problem+json"
    assert len(fake.violations) == 1


def test_a_token_signed_with_another_secret_is_refused_like_the_real_one(fake):
    sent = requests.get(f"{fake.root}/kanaal", headers=_bearer("other"), timeout=5)
    assert sent.status_code == 403 and sent.json()["code"] == "permission_denied"
    assert fake.violations == []  # a refusal, not a broken call


def test_a_valid_call_is_no_violation(fake):
    fake.kanalen["k"] = {"url": f"{fake.root}/kanaal/1", "naam": "k", "filters": []}
    sent = requests.post(f"{fake.root}/notificaties", json=MESSAGE, headers=_bearer(), timeout=5)
    assert sent.status_code == 201 and sent.headers["API-version"] == "1.0.0"
    assert fake.violations == [] and fake.notificaties[0]["kanaal"] == "k"
