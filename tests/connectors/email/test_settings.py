"""A mailbox account's settings: checked when added, defaults read, secrets never shown."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from balie.connectors import accounts
from balie.connectors.email.config import mail_settings
from balie.connectors.registry import connector_for
from balie.errors import BalieError

GOOD = {"address": "Balie@Utrecht.Example.NL", "smtp_host": "smtp.utrecht.example.nl"}


def add(organisation, **settings):
    return accounts.do_add_channel(
        organisation.pk, actor=None, kind="email", name="Balie", settings={**GOOD, **settings},
        secrets={"password": "geheim-wachtwoord-77"},
    )  # fmt: skip


def test_defaults_and_the_stored_form(utrecht):
    account = add(utrecht, imap_host="imap.utrecht.example.nl")
    assert account.settings["address"] == "balie@utrecht.example.nl"
    read = mail_settings(account)
    assert (read.smtp.port, read.smtp.security) == (587, "starttls")
    assert (read.imap.port, read.imap.security) == (993, "ssl")
    assert read.imap_folder == "INBOX" and read.username == "balie@utrecht.example.nl"
    assert read.from_name == utrecht.name
    accounts.do_update_channel(account, actor=None, settings={"smtp_security": "ssl"})
    assert mail_settings(account).smtp.port == 465  # the default follows the security


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"address": "geen-adres"}, "address"),
        ({"address": "a@b"}, "address"),
        ({"smtp_host": "bad host!"}, "smtp_host"),
        ({"smtp_port": "99999"}, "smtp_port"),
        ({"smtp_port": "25a"}, "smtp_port"),
        ({"smtp_security": "tls13"}, "smtp_security"),
        ({"smtp_security": "none"}, "smtp_security"),  # not on this machine: refused
        ({"imap_host": "imap.example.nl", "imap_security": "none"}, "imap_security"),
        ({"imap_host": "imap.example.nl", "imap_folder": 'a"b'}, "imap_folder"),
        ({"imap_host": "imap.example.nl", "imap_folder": "Postvak IN ✉"}, "imap_folder"),
    ],
)
def test_bad_settings_are_refused_by_name(utrecht, values, field):
    with pytest.raises(BalieError, match=field) as refused:
        add(utrecht, **values)
    assert refused.value.field == field


def test_plain_connections_only_to_this_machine(utrecht):
    account = add(utrecht, smtp_host="127.0.0.1", smtp_security="none",
                  imap_host="localhost", imap_security="NONE", imap_port="1143")  # fmt: skip
    read = mail_settings(account)
    assert (read.smtp.security, read.smtp.port) == ("none", 25)
    assert (read.imap.security, read.imap.port) == ("none", 1143)


def test_addresses_in_their_one_form():
    connector = connector_for("email")
    assert connector.address("  <Jan.de.Vries@Example.NL> ") == "jan.de.vries@example.nl"
    for bad in ("jan", "jan@", "@example.nl", "jan@example", "j an@example.nl", "a@b..nl"):
        with pytest.raises(BalieError):
            connector.address(bad)


def test_secrets_are_never_shown(utrecht):
    account = add(utrecht)
    view = accounts.account_view(account)
    assert view["secrets"] == {"password": True, "webhook_secret": False}
    assert "geheim-wachtwoord-77" not in json.dumps(view, default=str)


def test_added_from_the_command_line(utrecht, capsys, tmp_path):
    password = tmp_path / "password"
    password.write_text("uit-een-bestand-42\n")
    call_command(
        "channel", "add", "email", "--organisation", utrecht.slug, "--name", "Balie",
        "--address", "balie@utrecht.example.nl", "--smtp-host", "smtp.utrecht.example.nl",
        "--imap-host", "imap.utrecht.example.nl", "--password-file", str(password),
    )  # fmt: skip
    assert "/hooks/" in capsys.readouterr().out
