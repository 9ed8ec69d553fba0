"""The suite hashes passwords fast (tests/conftest.py); production hashes with Argon2."""

from __future__ import annotations

import importlib

from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings


def test_production_hashes_passwords_with_argon2():
    production = importlib.import_module("balie.conf.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        hashed = make_password("correct-horse-battery")
        assert hashed.startswith("argon2$")
        assert check_password("correct-horse-battery", hashed)
        assert not check_password("wrong", hashed)


def test_the_suite_uses_a_fast_hasher(settings):
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_staff_passwords_are_stored_with_argon2id(db, utrecht):
    from balie.accounts.actions import do_create_staff_user

    production = importlib.import_module("balie.conf.settings")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        user = do_create_staff_user(username="nieuw", password="correct-horse-battery")
    assert user.password.startswith("argon2$argon2id$")
