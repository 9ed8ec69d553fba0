"""Two-step login (accounts.twofactor, web.second_factor, web.console.twofactor): mandatory
for administrators, records managers, auditors and Woo coordinators, optional for agents;
TOTP set-up, codes, single-use recovery codes and the throttle (the staff socket:
tests/realtime/test_two_factor_socket.py)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

import balie.conf.settings as production_settings
from balie.accounts import twofactor
from balie.accounts.sessions import session_user
from balie.archive.models import AuditEntry
from tests.conftest import PASSWORD

SETUP = "/console/login/two-factor/setup/"
VERIFY = "/console/login/two-factor/"
PRIVILEGED = ["admin_ada", "records_rik", "auditor_aziz", "woo_wim"]


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def password_login(username: str) -> Client:
    client = Client()
    response = client.post("/console/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrol(client: Client, user) -> list[str]:
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post(SETUP, {"code": code_for(device), "next": "/console/"})
    assert page.status_code == 200
    return page.context["codes"]


def _wait_out_the_throttle(user) -> None:
    """As if the second the throttle asks after one wrong code has passed."""
    earlier = timezone.now() - timedelta(seconds=2)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=earlier)


def test_enforced_by_default_in_production():
    assert production_settings.TWO_FACTOR_ENFORCED is True


@pytest.mark.parametrize("role_user", PRIVILEGED)
def test_mandatory_for_the_four_roles(request, two_factor_enforced, role_user):
    user = request.getfixturevalue(role_user)
    client = password_login(user.username)
    page = client.get("/console/utrecht/")
    assert page.status_code == 302 and page["Location"].startswith(SETUP + "?next=")
    api = client.get("/api/v1/conversations/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    assert session_user(client.session.session_key) is None  # the staff sockets' check
    enrol(client, user)
    assert client.get("/console/utrecht/").status_code == 200
    assert session_user(client.session.session_key) == user


@pytest.mark.parametrize("role_user", ["agent_anna", "lead_lotte"])
def test_optional_for_agents_and_team_leads(request, two_factor_enforced, role_user):
    user = request.getfixturevalue(role_user)
    client = password_login(user.username)
    assert client.get("/console/utrecht/").status_code == 200
    assert session_user(client.session.session_key) == user


def test_setup_page_shows_a_qr_code_and_the_key(two_factor_enforced, admin_ada):
    client = password_login("admin_ada")
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and 'class="qr"' in page and 'role="img"' in page
    assert 'id="totp-secret"' in page
    assert "data:image" not in page and "<img" not in page  # the CSP allows no data: images


def test_a_wrong_code_does_not_confirm_the_setup(two_factor_enforced, admin_ada):
    client = password_login("admin_ada")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=admin_ada)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    page = client.post(SETUP, {"code": wrong})
    assert page.status_code == 400 and b'data-code="two_factor_wrong_code"' in page.content
    assert not twofactor.is_enrolled(admin_ada)
    assert client.get("/console/utrecht/")["Location"].startswith(SETUP)


def test_setup_gives_ten_single_use_recovery_codes(two_factor_enforced, admin_ada):
    codes = enrol(password_login("admin_ada"), admin_ada)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(admin_ada.staticdevice_set.get().token_set.values_list("token", flat=True))
    assert not set(codes) & set(stored)  # kept as digests
    first = password_login("admin_ada")
    assert first.post(VERIFY, {"code": codes[0], "next": "/console/"}).status_code == 302
    assert first.get("/console/utrecht/").status_code == 200
    again = password_login("admin_ada")
    refused = again.post(VERIFY, {"code": codes[0]})
    assert refused.status_code == 400
    assert b'data-code="two_factor_wrong_code"' in refused.content
    _wait_out_the_throttle(admin_ada)
    assert again.post(VERIFY, {"code": codes[1].upper()}).status_code == 302
    assert twofactor.recovery_codes_left(admin_ada) == 8


def test_login_asks_the_code_once_set_up(two_factor_enforced, admin_ada):
    enrol(password_login("admin_ada"), admin_ada)
    client = password_login("admin_ada")
    assert client.get("/console/utrecht/")["Location"].startswith(VERIFY + "?next=")
    before = client.session.session_key
    device = TOTPDevice.objects.get(user=admin_ada, confirmed=True)
    answer = client.post(VERIFY, {"code": code_for(device, 1), "next": "/console/utrecht/"})
    assert answer.status_code == 302 and answer["Location"] == "/console/utrecht/"
    assert client.session.session_key != before  # a new session id for the stronger login
    assert client.get("/console/utrecht/").status_code == 200
    events = AuditEntry.objects.filter(action="staff.two_factor", actor=admin_ada)
    assert {entry.detail["event"] for entry in events} == {"enrolled", "verified"}


def test_wrong_codes_slow_down(two_factor_enforced, admin_ada):
    enrol(password_login("admin_ada"), admin_ada)
    client = password_login("admin_ada")
    assert client.post(VERIFY, {"code": "000000"}).status_code in {400, 429}
    device = TOTPDevice.objects.get(user=admin_ada, confirmed=True)
    throttled = client.post(VERIFY, {"code": code_for(device, 1)})  # right, but too soon
    assert throttled.status_code == 429
    assert b'data-code="two_factor_throttled"' in throttled.content
    assert client.get("/console/utrecht/").status_code == 302


def test_an_agent_may_set_it_up_and_is_then_asked(two_factor_enforced, agent_anna):
    client = password_login("agent_anna")
    manage = client.get("/console/me/two-factor/")
    assert b'id="two-factor-off"' in manage.content
    enrol(client, agent_anna)
    assert b'id="two-factor-on"' in client.get("/console/me/two-factor/").content
    again = password_login("agent_anna")
    assert again.get("/console/utrecht/")["Location"].startswith(VERIFY)


def test_new_recovery_codes_replace_the_old(two_factor_enforced, admin_ada):
    client = Client()
    client.force_login(admin_ada)
    old = enrol(client, admin_ada)
    new = client.post("/console/me/two-factor/new-codes/").context["codes"]
    assert len(new) == 10 and not set(old) & set(new)
    assert password_login("admin_ada").post(VERIFY, {"code": old[0]}).status_code == 400


def test_it_resets_a_lost_device(two_factor_enforced, admin_ada, capsys):
    enrol(password_login("admin_ada"), admin_ada)
    call_command("twofactor", "reset", "admin_ada")
    assert not twofactor.is_enrolled(admin_ada)
    assert password_login("admin_ada").get("/console/")["Location"].startswith(SETUP)
    call_command("twofactor", "status", "admin_ada")
    assert "not set up" in capsys.readouterr().out


def test_not_enforced_when_switched_off(admin_ada):
    client = password_login("admin_ada")
    assert client.get("/console/utrecht/").status_code == 200
