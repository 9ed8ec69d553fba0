"""The suite hashes passwords fast (tests/conftest.py); production hashes with Argon2."""

from __future__ import annotations

import importlib
import io
import threading
import time

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

from balie import cli
from balie.accounts.actions import do_create_staff_user, do_set_password
from balie.accounts.models import User
from balie.accounts.passwords import BalieArgon2PasswordHasher, check_password_strength
from balie.errors import Invalid
from balie.ops.demo_data import DEMO_PASSWORD
from tests.conftest import PASSWORD


def test_production_hashes_passwords_with_argon2():
    production = importlib.import_module("balie.conf.settings")
    assert production.PASSWORD_HASHERS[0] == "balie.accounts.passwords.BalieArgon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        hashed = make_password("correct-horse-battery")
        assert hashed.startswith("argon2$")
        assert check_password("correct-horse-battery", hashed)
        assert not check_password("wrong", hashed)


def test_the_suite_uses_a_fast_hasher(settings):
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_staff_passwords_are_stored_with_argon2id(db, utrecht):
    production = importlib.import_module("balie.conf.settings")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        user = do_create_staff_user(username="nieuw", password="correct-horse-battery")
    assert user.password.startswith("argon2$argon2id$")


# --- every way of setting a password runs the validators -------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort-wachtw", "at least 12 characters"),
        ("password1234", "too common"),
        ("nieuwe_medewerker", "too similar"),
        ("908172635445", "entirely numeric"),
    ],
)
def test_a_weak_password_is_refused_with_the_validators_message(db, password, message):
    with translation.override("en"), pytest.raises(Invalid) as refused:
        do_create_staff_user(username="nieuwe_medewerker", password=password)

    assert refused.value.code == "weak_password"
    assert refused.value.field == "password"
    assert message in refused.value.message
    assert not User.objects.filter(username="nieuwe_medewerker").exists()


def test_the_refusal_is_in_dutch_by_default(db):
    with pytest.raises(Invalid) as refused:
        do_create_staff_user(username="nieuw", password="kort")
    assert "De minimale lengte is 12 tekens" in refused.value.message


def test_changing_a_password_runs_the_same_check(agent_anna):
    with pytest.raises(Invalid):
        do_set_password(agent_anna, "password1234")
    agent_anna.refresh_from_db()
    assert agent_anna.check_password(PASSWORD)

    do_set_password(agent_anna, "lange-zin-met-koffie")
    agent_anna.refresh_from_db()
    assert agent_anna.check_password("lange-zin-met-koffie")


@pytest.mark.parametrize(
    ("username", "password"),
    [("agent_anna_utrecht", DEMO_PASSWORD), ("agent_anna", PASSWORD)],
)
def test_the_demo_and_suite_passwords_pass_the_validators(username, password):
    check_password_strength(password, User(username=username, first_name="Anna"))


# --- Argon2 at OWASP's parameters, a bounded number at once -----------------------------------


def test_new_hashes_use_owasps_argon2_parameters():
    production = importlib.import_module("balie.conf.settings")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        hashed = make_password(PASSWORD)
    assert hashed.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_hash_with_djangos_old_parameters_verifies_and_is_upgraded_at_login(client, agent_anna):
    production = importlib.import_module("balie.conf.settings")
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        agent_anna.set_password(PASSWORD)
        agent_anna.save(update_fields=["password"])
    assert "$m=102400,t=2,p=8$" in agent_anna.password

    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        response = client.post("/console/login/", {"username": "agent_anna", "password": PASSWORD})

    assert response.status_code == 302
    agent_anna.refresh_from_db()
    assert agent_anna.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_at_most_the_configured_number_of_hashes_run_at_once(settings, monkeypatch):
    settings.PASSWORD_HASH_CONCURRENCY = 2
    running, most = 0, 0
    lock = threading.Lock()

    def slow_verify(self, password, encoded):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return True

    monkeypatch.setattr(Argon2PasswordHasher, "verify", slow_verify)
    hasher = BalieArgon2PasswordHasher()
    threads = [
        threading.Thread(target=hasher.verify, args=(PASSWORD, "argon2$x")) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert 1 <= most <= 2


def test_createsuperuser_is_refused_so_no_user_skips_the_validators(db, monkeypatch):
    """`balie createsuperuser --noinput` would create a user without running the validators."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "x")
    command = cli.ALIASES["createsuperuser"]

    with pytest.raises(CommandError, match="Balie has no superusers"):
        call_command(command, "--noinput", "--username", "baas", "--email", "b@x.nl")
    assert not User.objects.filter(username="baas").exists()


def test_changepassword_runs_the_validators(agent_anna, monkeypatch):
    answers = iter(["password1234", "password1234"] * 3)
    monkeypatch.setattr(
        "django.contrib.auth.management.commands.changepassword.getpass.getpass",
        lambda prompt="": next(answers),
    )
    with pytest.raises(CommandError):
        call_command("changepassword", "agent_anna", stdout=io.StringIO())
    agent_anna.refresh_from_db()
    assert agent_anna.check_password(PASSWORD)
