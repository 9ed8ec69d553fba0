"""A WhatsApp channel account: its settings checked when set, its secrets sealed, the
resident's id in one form."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from balie.connectors import accounts
from balie.connectors.registry import connector_for
from balie.connectors.whatsapp.account import graph_for
from balie.connectors.whatsapp.graph import DEFAULT_GRAPH_URL, Graph
from balie.errors import BalieError
from tests.connectors.whatsapp.conftest import APP_SECRET, TOKEN, VERIFY_TOKEN

SECRETS = {"access_token": "t", "app_secret": "s", "verify_token": "v"}


def _add(organisation, **settings):
    return accounts.do_add_channel(
        organisation.pk, actor=None, kind="whatsapp", name="WhatsApp",
        settings=settings, secrets=SECRETS,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({}, "phone_number_id"),
        ({"phone_number_id": "+31 20 123"}, "phone_number_id"),
        ({"phone_number_id": "123", "business_account_id": "abc"}, "business_account_id"),
        ({"phone_number_id": "123", "graph_url": "http://graph.example.nl/v21.0"}, "graph_url"),
        ({"phone_number_id": "123", "graph_url": "https://graph.facebook.com"}, "graph_url"),
        (
            {"phone_number_id": "123", "graph_url": "https://u:p@graph.facebook.com/v21.0"},
            "graph_url",
        ),
        ({"phone_number_id": "123", "graph_url": "ftp://graph.facebook.com/v21.0"}, "graph_url"),
    ],
)
def test_settings_are_checked(utrecht, given, field):
    with pytest.raises(BalieError, match=field):
        _add(utrecht, **given)


def test_plain_http_only_to_this_machine_in_a_demo(utrecht, settings):
    settings.DEMO = False
    with pytest.raises(BalieError, match="graph_url"):
        _add(utrecht, phone_number_id="123", graph_url="http://127.0.0.1:8000/v21.0")
    settings.DEMO = True
    account = _add(utrecht, phone_number_id="123", graph_url="http://127.0.0.1:8000/v21.0/")
    assert account.settings["graph_url"] == "http://127.0.0.1:8000/v21.0"


def test_the_default_graph_api_and_the_accounts_token(utrecht):
    account = _add(utrecht, phone_number_id="123")
    graph = graph_for(account)
    assert isinstance(graph, Graph)
    assert (graph.base_url, graph.token) == (DEFAULT_GRAPH_URL, "t")


def test_secrets_are_sealed_and_never_shown(account):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM connectors_channelaccount")
        (raw,) = cursor.fetchone()
    view = json.dumps(accounts.account_view(account), default=str)
    for secret in (TOKEN, APP_SECRET, VERIFY_TOKEN):
        assert secret not in str(raw) and secret not in view
    assert accounts.account_view(account)["secrets"] == {
        "access_token": True,
        "app_secret": True,
        "verify_token": True,
    }


@pytest.mark.parametrize(
    ("raw", "address"),
    [
        ("31612345678", "31612345678"),
        ("+31 6 1234-5678", "31612345678"),
        ("0031", None),
        ("x", None),
    ],
)
def test_the_residents_id_is_digits_only(raw, address):
    connector = connector_for("whatsapp")
    if address is None:
        with pytest.raises(BalieError):
            connector.address(raw)
    else:
        assert connector.address(raw) == address
