"""Two-step login in headless Chromium: an administrator logs in with a password, is sent to
set up an authenticator (QR code as inline SVG, under the console's CSP), confirms it with a
code, sees the recovery codes once, and at the next login types a code. Every page has zero
axe-core violations."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.accounts.sso import do_configure_sso
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_ada(utrecht, utrecht_team):
    user = do_create_staff_user(username="admin_ada", password=PASSWORD, first_name="Ada")
    do_set_membership(user, utrecht, Role.ADMIN)
    return user


def _code(user_id: int, steps_ahead: int = 0) -> str:
    device = TOTPDevice.objects.get(user_id=user_id)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def _password(page, base_url: str) -> None:
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Gebruikersnaam").fill("admin_ada")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_set_up_and_log_in_with_a_code(admin_ada, two_factor_enforced, asgi_server, browser_page):
    page = browser_page(1280, 900)
    base = asgi_server.url
    _password(page, base)
    page.wait_for_url(f"{base}/console/login/two-factor/setup/**")
    qr = page.locator("svg.qr")
    expect(qr).to_be_visible()
    expect(page.locator("#totp-secret")).not_to_be_empty()
    assert_accessible(page, "setting up two-step login")

    right = asgi_server.call(_code, admin_ada.pk)
    page.locator("#id_code").fill("000000" if right != "000000" else "111111")
    page.locator("#two-factor-setup button[type=submit]").click()
    expect(page.locator(".two-factor-refusal")).to_be_visible()
    assert_accessible(page, "setting up two-step login, a wrong code")

    time.sleep(1.1)  # the throttle's second after one wrong code
    page.locator("#id_code").fill(asgi_server.call(_code, admin_ada.pk))
    page.locator("#two-factor-setup button[type=submit]").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page, "the recovery codes")
    page.locator("#continue").click()
    page.wait_for_url(f"{base}/console/utrecht/")

    page.context.clear_cookies()
    _password(page, base)
    page.wait_for_url(f"{base}/console/login/two-factor/**")
    assert_accessible(page, "the code after the password")
    page.locator("#id_code").fill(asgi_server.call(_code, admin_ada.pk, 1))
    page.locator("#two-factor-verify button[type=submit]").click()
    page.wait_for_url(f"{base}/console/utrecht/")
    expect(page.locator("#connection")).to_have_text("Verbonden")  # the staff socket


def _utrecht_sso(utrecht):
    endpoints = {
        "issuer": "https://login.example.org/realms/utrecht",
        "authorization_endpoint": "https://login.example.org/auth",
        "token_endpoint": "https://login.example.org/token",
        "jwks_uri": "https://login.example.org/certs",
    }
    do_configure_sso(
        utrecht, issuer=endpoints["issuer"], client_id="balie", client_secret="s",
        display_name="Utrecht Account", roles_claim="roles", role_map=[("kcc", "agent")],
        discovery=endpoints,
    )  # fmt: skip


def test_login_page_with_single_sign_on(utrecht, asgi_server, browser_page):
    asgi_server.call(_utrecht_sso, utrecht)
    page = browser_page(1280, 900)
    page.goto(f"{asgi_server.url}/console/login/")
    button = page.locator("#sso-utrecht")
    expect(button).to_be_visible()
    assert button.get_attribute("href").endswith("/console/login/sso/utrecht/")
    assert_accessible(page, "the login page with single sign-on")
    page.goto(f"{asgi_server.url}/console/login/callback/?code=x&state=not-mine")
    expect(page.locator(".sso-refusal")).to_have_attribute("data-code", "sso_bad_state")
    assert_accessible(page, "a refused single sign-on")
