"""Mailboxes of Utrecht and Groningen on a real Dovecot, answers through a real aiosmtpd.

``utrecht_mail`` reads Dovecot's user ``utrecht`` over IMAPS and sends through ``smtp``
(plain, on 127.0.0.1: allowed for loopback only); ``groningen_mail`` the same for Groningen.
Each test starts with empty mailboxes and trusts the test CA through SSL_CERT_FILE.
"""

from __future__ import annotations

import pytest

from balie.connectors import accounts
from tests.connectors.email import servers

WEBHOOK_SECRET = "webhook-secret-for-tests-8kQ"


@pytest.fixture(scope="session")
def certificates(tmp_path_factory):
    return servers.make_certificates(tmp_path_factory.mktemp("certificates"))


@pytest.fixture(autouse=True)
def _trust_test_ca(monkeypatch, certificates):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))


@pytest.fixture(scope="session")
def _dovecot_server(certificates):
    servers.dovecot_available()
    server = servers.Dovecot(certificates)
    yield server
    server.stop()


@pytest.fixture
def dovecot(_dovecot_server, _trust_test_ca):
    _dovecot_server.empty()
    return _dovecot_server


@pytest.fixture
def smtp():
    servers.smtp_available()
    server = servers.Smtp()
    server.start()
    yield server
    server.stop()


def add_mail_account(organisation, *, name, user, dovecot=None, smtp=None, **settings):
    values = {
        "address": f"balie@{user}.example.nl",
        "smtp_host": "127.0.0.1",
        "smtp_port": str(smtp.port if smtp else servers.free_port()),
        "smtp_security": "none",
        "username": user,
    }
    if dovecot is not None:
        values.update(imap_host="127.0.0.1", imap_port=str(dovecot.imaps_port))
    values.update(settings)
    return accounts.do_add_channel(
        organisation.pk, actor=None, kind="email", name=name, settings=values,
        secrets={"password": servers.PASSWORD, "webhook_secret": WEBHOOK_SECRET},
    )  # fmt: skip


def _smtp_if_asked(request):
    """The test's SMTP server when it asks for one (``smtp``), else none: reading mail
    needs no aiosmtpd."""
    return request.getfixturevalue("smtp") if "smtp" in request.fixturenames else None


@pytest.fixture
def utrecht_mail(request, utrecht, utrecht_team, dovecot):
    return add_mail_account(
        utrecht, name="Balie Utrecht", user="utrecht", dovecot=dovecot,
        smtp=_smtp_if_asked(request),
    )  # fmt: skip


@pytest.fixture
def groningen_mail(request, groningen, groningen_team, dovecot):
    return add_mail_account(
        groningen, name="Balie Groningen", user="groningen", dovecot=dovecot,
        smtp=_smtp_if_asked(request),
    )  # fmt: skip


@pytest.fixture
def webhook_mail(utrecht, utrecht_team):
    """An account without IMAP: mail comes in by webhook only."""
    return add_mail_account(utrecht, name="Balie Utrecht webhook", user="utrecht")
