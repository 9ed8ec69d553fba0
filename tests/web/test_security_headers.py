"""Security headers: a strict Content-Security-Policy on the console, the API and the resident
chat; HSTS when configured; Secure cookies outside the demo; a Permissions-Policy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from balie.accounts.actions import do_create_api_key

STRICT = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
}


def _directives(response) -> set[str]:
    return {part.strip() for part in response.headers["Content-Security-Policy"].split(";")}


@pytest.mark.parametrize(
    "path", ["/console/login/", "/console/utrecht/", "/console/utrecht/search/"]
)
def test_console_pages_carry_a_strict_csp(client, agent_anna, path):
    client.force_login(agent_anna)
    response = client.get(path, follow=False)

    assert _directives(response) >= STRICT
    assert "connect-src 'self' ws://testserver wss://testserver" in _directives(response)


def test_api_responses_carry_a_strict_csp(client, utrecht):
    _, secret = do_create_api_key(utrecht, name="crm", scopes=["conversations:read"])
    response = client.get("/api/v1/conversations/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 200
    assert _directives(response) >= STRICT


def test_the_resident_chat_may_be_framed_under_the_same_policy(client, utrecht):
    directives = _directives(client.get("/c/utrecht/?embed=1"))

    assert STRICT - {"frame-ancestors 'none'"} <= directives
    assert not any(d.startswith("frame-ancestors") for d in directives)


def test_the_embed_example_styles_itself_inline_but_runs_no_inline_script(client, utrecht):
    directives = _directives(client.get("/c/utrecht/embed-example/"))

    assert "style-src 'self' 'unsafe-inline'" in directives
    assert "script-src 'self'" in directives


def test_pages_carry_a_permissions_policy(client, utrecht):
    policy = client.get("/console/login/").headers["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_no_hsts_by_default(client, db):
    assert "Strict-Transport-Security" not in client.get("/console/login/", secure=True).headers


def test_hsts_when_configured(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/console/login/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def _settings_value(name: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BALIE_SECRET")}
    result = subprocess.run(
        [sys.executable, "-c", f"import balie.conf.settings as s; print(s.{name})"],
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_cookies_are_secure_by_default_outside_the_demo():
    assert _settings_value("SESSION_COOKIE_SECURE", BALIE_SECRET_KEY="x" * 50) == "True"
    assert _settings_value("CSRF_COOKIE_SECURE", BALIE_SECRET_KEY="x" * 50) == "True"


def test_the_demo_on_plain_http_keeps_plain_cookies():
    assert _settings_value("SESSION_COOKIE_SECURE") == "False"
    assert _settings_value("SESSION_COOKIE_SECURE", BALIE_SECURE_COOKIES="true") == "False"


def test_secure_cookies_can_be_switched_off():
    value = _settings_value(
        "SESSION_COOKIE_SECURE", BALIE_SECRET_KEY="x" * 50, BALIE_SECURE_COOKIES="false"
    )
    assert value == "False"
