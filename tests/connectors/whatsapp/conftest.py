"""WhatsApp accounts of Utrecht and Groningen against a fake Graph API, and posting signed
webhook notifications to their addresses."""

from __future__ import annotations

import pytest

from balie.connectors import accounts, registry
from balie.connectors.whatsapp.connector import WhatsAppConnector
from balie.conversations.models import Channel
from balie.search import partitions
from tests.connectors.whatsapp import payloads
from tests.connectors.whatsapp.fake_graph import FakeGraph

TOKEN = "EAAG-fake-access-token-utrecht"  # noqa: S105 - test data
APP_SECRET = "utrecht-app-secret-4f1c"  # noqa: S105
VERIFY_TOKEN = "utrecht-verify-9d2e"  # noqa: S105
GRONINGEN_SECRET = "groningen-app-secret-77aa"  # noqa: S105
GRONINGEN_NUMBER_ID = "209876543210987"
RESIDENT = "31612345678"  # a resident's WhatsApp id


@pytest.fixture(autouse=True)
def _connector():
    """The connector as WhatsAppConfig.ready registers it (kept for a test that replaced
    it)."""
    before = registry.connector_for(Channel.WHATSAPP)
    registry.register(WhatsAppConnector())
    yield
    if before is not None:
        registry.register(before)


@pytest.fixture(autouse=True)
def _partitions_known_again():
    """PostgreSQL: a test that runs on-commit callbacks inside its (rolled back) transaction
    (``django_capture_on_commit_callbacks(execute=True)``) makes ``search.partitions``
    remember a month's partition that the rollback takes away again; forget after each."""
    yield
    partitions.forget()


@pytest.fixture
def fake_graph():
    with FakeGraph(TOKEN, phone_number_id=payloads.PHONE_NUMBER_ID) as fake:
        yield fake
    assert fake.violations == []


@pytest.fixture
def account(utrecht, utrecht_team, fake_graph):
    return accounts.do_add_channel(
        utrecht.pk, actor=None, kind="whatsapp", name="Gemeente Utrecht WhatsApp",
        settings={"phone_number_id": payloads.PHONE_NUMBER_ID,
                  "business_account_id": payloads.BUSINESS_ACCOUNT_ID,
                  "graph_url": fake_graph.base_url},
        secrets={"access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN},
    )  # fmt: skip


@pytest.fixture
def groningen_account(groningen, groningen_team):
    return accounts.do_add_channel(
        groningen.pk, actor=None, kind="whatsapp", name="Gemeente Groningen WhatsApp",
        settings={"phone_number_id": GRONINGEN_NUMBER_ID, "graph_url": "http://127.0.0.1:9/v21.0"},
        secrets={"access_token": "groningen-token", "app_secret": GRONINGEN_SECRET,
                 "verify_token": "groningen-verify"},
    )  # fmt: skip


def post(client, account, payload, *, secret: str = APP_SECRET, signature: str | None = None):
    """POST ``payload`` (a dict or raw bytes) to the account's webhook, signed with
    ``secret`` unless ``signature`` is given ("" for none)."""
    body, signed = payloads.signed(payload, secret)
    headers = {}
    if signature is None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signed
    elif signature:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return client.post(
        f"/hooks/{account.public_id}/", body, content_type="application/json", **headers
    )
