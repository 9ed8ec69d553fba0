"""Setting up an SMS account: the provider decides which settings are needed and kept,
each is checked, and the secret (shared secret or Auth Token) is sealed like any other."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from balie.connectors import accounts
from balie.connectors.models import ChannelAccount
from balie.errors import BalieError
from tests.connectors.sms.conftest import ACCOUNT_SID, SECRET, TOKEN


def _add(organisation, settings, secrets=None, name="SMS"):
    return accounts.do_add_channel(
        organisation.pk, actor=None, kind="sms", name=name, settings=settings,
        secrets=secrets or {"secret": SECRET},
    )  # fmt: skip


def test_a_generic_account_keeps_what_it_uses(utrecht):
    account = _add(utrecht, {"provider": "generic", "url": "https://sms.example.nl/send",
                             "number": "097010203040", "account_sid": ACCOUNT_SID})  # fmt: skip
    assert account.settings == {
        "provider": "generic",
        "url": "https://sms.example.nl/send",
        "number": "+3197010203040",
    }


def test_a_twilio_account_keeps_what_it_uses(utrecht):
    account = _add(utrecht, {"provider": "twilio", "account_sid": ACCOUNT_SID,
                             "number": "+31 97 010203041", "url": "https://x.example"},
                   {"secret": TOKEN})  # fmt: skip
    assert account.settings == {
        "provider": "twilio",
        "account_sid": ACCOUNT_SID,
        "number": "+3197010203041",
    }


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({}, "provider"),
        ({"provider": "messagebird"}, "provider"),
        ({"provider": "generic"}, "url"),
        ({"provider": "generic", "url": "http://sms.example.nl/send"}, "url"),  # not https
        ({"provider": "generic", "url": "ftp://sms.example.nl/"}, "url"),
        ({"provider": "generic", "url": "https://user:pw@sms.example.nl/"}, "url"),
        ({"provider": "generic", "url": "https://sms.example.nl/", "number": "12"}, "number"),
        ({"provider": "twilio", "number": "+3197010203041"}, "account_sid"),
        ({"provider": "twilio", "account_sid": "AC123", "number": "+3197010203041"}, "account_sid"),
        ({"provider": "twilio", "account_sid": ACCOUNT_SID}, "number"),
        ({"provider": "twilio", "account_sid": ACCOUNT_SID, "messaging_service_sid": "MG1"},
         "messaging_service_sid"),
        ({"provider": "twilio", "account_sid": ACCOUNT_SID, "number": "+3197010203041",
          "api_base": "http://api.example.com"}, "api_base"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_naming_the_setting(utrecht, given, field):
    with pytest.raises(BalieError) as refused:
        _add(utrecht, given)
    assert refused.value.status == 400
    assert refused.value.field == field or field in refused.value.message
    assert not ChannelAccount.objects.exists()


def test_a_secret_is_required(utrecht):
    with pytest.raises(BalieError, match="secret"):
        accounts.do_add_channel(utrecht.pk, actor=None, kind="sms", name="SMS",
                                settings={"provider": "generic", "url": "https://x.example/"},
                                secrets={})  # fmt: skip


def test_switching_provider_drops_the_other_providers_settings(utrecht):
    account = _add(utrecht, {"provider": "generic", "url": "https://sms.example.nl/send"})
    accounts.do_update_channel(account, actor=None, settings={
        "provider": "twilio", "account_sid": ACCOUNT_SID, "messaging_service_sid": "MG" + "a" * 32,
    })  # fmt: skip
    account.refresh_from_db()
    assert account.settings == {
        "provider": "twilio",
        "account_sid": ACCOUNT_SID,
        "messaging_service_sid": "MG" + "a" * 32,
    }


def test_the_secret_is_sealed_and_never_shown(utrecht):
    account = _add(utrecht, {"provider": "generic", "url": "https://sms.example.nl/send"})
    view = accounts.account_view(account)
    assert view["secrets"] == {"secret": True}
    assert SECRET not in json.dumps(view, default=str)
    assert SECRET not in json.dumps(ChannelAccount.objects.values("secrets").get())


def test_the_channel_command_adds_a_twilio_account(utrecht, tmp_path, capsys):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    call_command(
        "channel", "add", "sms", "--organisation", utrecht.slug, "--name", "Twilio",
        "--provider", "twilio", "--account-sid", ACCOUNT_SID, "--number", "06-12345678",
        "--secret-file", str(token_file),
    )  # fmt: skip
    account = ChannelAccount.objects.get()
    assert accounts.webhook_url(account) in capsys.readouterr().out
    assert accounts.secret_of(account, "secret") == TOKEN
    assert account.settings["number"] == "+31612345678"
