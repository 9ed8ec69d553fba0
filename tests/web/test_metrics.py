"""``/metrics``: Prometheus' text format behind a bearer token (off without one), and the
figures it shows move with what happens: messages stored, batches, open sockets, tasks
waiting, failed deliveries. Nothing in it names an organisation."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import connections
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from balie.conf import metrics
from balie.conf.routing import websocket_application
from balie.conversations import tasks
from balie.conversations.models import Channel, Conversation, DeliveryStatus, Direction
from tests.factories import send
from tests.realtime.communicator import WebsocketCommunicator
from tests.realtime.helpers import ORIGIN, agent_socket, receive_until, resident_socket

TOKEN = "metrics-" + "s3cr3t" * 8  # noqa: S105 - a test token
NAMES = [
    "balie_messages_persisted_total",
    "balie_batch_size",
    "balie_batch_seconds",
    "balie_fanout_seconds",
    "balie_open_sockets",
    "balie_task_queue_depth",
    "balie_failed_deliveries",
    "balie_draining",
]


@pytest.fixture
async def _close_consumer_connections():
    """As in tests/realtime: the consumers' database connection lives in asgiref's sync
    thread; closed after each socket test so the test database can be dropped."""
    yield
    await sync_to_async(connections.close_all)()


sockets = pytest.mark.usefixtures("_close_consumer_connections")


@pytest.fixture(autouse=True)
def _fresh_readings():
    metrics.AT_SCRAPE.forget()  # the failed deliveries are otherwise read once a minute


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def _scrape(client, token: str = TOKEN):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def _samples(client) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} from a scrape, as Prometheus parses it."""
    response = _scrape(client)
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def _value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- the endpoint ---------------------------------------------------------------------------
def test_without_a_token_configured_the_endpoint_is_off(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert _scrape(client, "").status_code == 404
    assert _scrape(client, "anything").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer"],
)
def test_a_wrong_or_missing_token_is_401(client, db, token, authorization):
    response = client.get("/metrics", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"balie_" not in response.content


def test_with_the_token_every_metric_is_shown(client, db, token):
    response = _scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()
    for name in NAMES:
        assert f"# HELP {name} " in text, name
    assert 'balie_task_queue_depth{queue="default"} 0.0' in text
    assert "balie_draining 0.0" in text
    assert "Set-Cookie" not in response


def test_the_token_is_checked_case_insensitively_on_the_scheme_only(client, db, token):
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"bearer {TOKEN}").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN.upper()}").status_code == 401


def test_only_get(client, db, token):
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


def test_the_endpoint_needs_an_allowed_host(client, db, token):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_HOST="x.example")
    assert response.status_code == 400


# --- the figures ----------------------------------------------------------------------------
def _api(api_key) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
    return api


def test_openmetrics_when_the_scraper_asks_for_it(client, db, token):
    response = client.get(
        "/metrics",
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
        HTTP_ACCEPT="application/openmetrics-text; version=1.0.0",
    )
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.decode().endswith("# EOF\n")


@pytest.mark.django_db(transaction=True)  # counted after commit, as in production
def test_messages_persisted_counts_what_was_created_not_a_resend(
    client, token, webchat, utrecht_api_key
):
    conversation, _ = webchat
    api = _api(utrecht_api_key)
    url = f"/api/v1/conversations/{conversation.pk}/messages/"
    before = _samples(client)[("balie_messages_persisted_total", ())]
    first = api.post(url, {"client_id": "crm-0001", "body": "Antwoord"}, format="json")
    again = api.post(url, {"client_id": "crm-0001", "body": "Antwoord"}, format="json")
    assert first.status_code == 201 and again.status_code == 200  # the resend: stored one
    assert _samples(client)[("balie_messages_persisted_total", ())] == before + 1


def test_a_rolled_back_send_is_not_counted(webchat):
    from django.db import transaction

    conversation, _ = webchat
    before = _value("balie_messages_persisted_total")
    with pytest.raises(RuntimeError), transaction.atomic():
        send(conversation, "Nooit opgeslagen")
        raise RuntimeError("crash before commit")
    assert _value("balie_messages_persisted_total") == before


@sockets
@pytest.mark.django_db(transaction=True)
async def test_socket_sends_are_counted_and_their_batches_observed(webchat):
    _, chat_token = webchat
    persisted = _value("balie_messages_persisted_total")
    items = _value("balie_batch_size_sum", writer="send")
    batches = _value("balie_batch_size_count", writer="send")
    handoffs = _value("balie_fanout_seconds_count", stage="handoff")
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": chat_token, "last_seq": 0})
    await receive_until(resident, "ready")
    ids = [uuid.uuid4().hex for _ in range(3)]
    for client_id in [*ids, ids[0]]:  # the last one is a resend
        await resident.send_json_to({"type": "send", "client_id": client_id, "body": "Hallo"})
    acks = [await receive_until(resident, "ack") for _ in range(4)]
    await resident.disconnect()
    assert [a["duplicate"] for a in acks] == [False, False, False, True]
    assert _value("balie_messages_persisted_total") == persisted + 3
    assert _value("balie_batch_size_sum", writer="send") == items + 4  # the resend was batched
    assert batches + 1 <= _value("balie_batch_size_count", writer="send") <= batches + 4
    assert _value("balie_batch_seconds_count", writer="send") >= batches + 1
    assert _value("balie_fanout_seconds_count", stage="handoff") > handoffs


@sockets
@pytest.mark.django_db(transaction=True)
async def test_open_sockets_per_kind_go_up_on_connect_and_down_on_disconnect(utrecht, agent_anna):
    resident_before = _value("balie_open_sockets", kind="resident")
    agent_before = _value("balie_open_sockets", kind="agent")
    resident = await resident_socket("utrecht")
    agent = await agent_socket(agent_anna)
    assert _value("balie_open_sockets", kind="resident") == resident_before + 1
    assert _value("balie_open_sockets", kind="agent") == agent_before + 1
    await resident.disconnect()
    await agent.disconnect()
    assert _value("balie_open_sockets", kind="resident") == resident_before
    assert _value("balie_open_sockets", kind="agent") == agent_before


@sockets
@pytest.mark.django_db(transaction=True)
async def test_a_refused_socket_is_never_counted(utrecht):
    before = _value("balie_open_sockets", kind="agent")
    refused = WebsocketCommunicator(websocket_application, "/ws/agent/", headers=[ORIGIN])
    assert (await refused.connect())[0] is False  # no session: closed before accepting
    assert _value("balie_open_sockets", kind="agent") == before
    await refused.disconnect()  # the server reports the closed socket all the same
    assert _value("balie_open_sockets", kind="agent") == before


@sockets
@pytest.mark.django_db(transaction=True)
async def test_a_socket_the_server_closes_is_uncounted_once(utrecht, settings):
    settings.LIMIT_SOCKETS_PER_IP = 1
    before = _value("balie_open_sockets", kind="resident")
    first = await resident_socket("utrecht")
    second = WebsocketCommunicator(websocket_application, "/ws/c/utrecht/", headers=[ORIGIN])
    assert await second.connect() == (True, None)  # accepted, then closed with 4429
    assert (await second.receive_output(3))["type"] == "websocket.close"
    await second.disconnect()
    assert _value("balie_open_sockets", kind="resident") == before + 1
    await first.disconnect()
    assert _value("balie_open_sockets", kind="resident") == before


@sockets
@pytest.mark.django_db(transaction=True)
async def test_a_cancelled_socket_is_uncounted(utrecht):
    """A consumer ended without a disconnect event (the server stopping) is uncounted."""
    before = _value("balie_open_sockets", kind="resident")
    resident = await resident_socket("utrecht")
    assert _value("balie_open_sockets", kind="resident") == before + 1
    resident.future.cancel()
    await resident.wait(1)  # returns once the cancelled consumer has ended
    assert resident.future.cancelled()
    assert _value("balie_open_sockets", kind="resident") == before


@sockets
@pytest.mark.django_db(transaction=True)
async def test_the_woo_review_socket_is_counted_as_woo_review(utrecht, woo_wim):
    from balie.woo.actions import do_register_request

    await database_sync_to_async(do_register_request)(
        utrecht.pk, actor=woo_wim, reference="WOO-2026-101", received_on="2026-11-03",
        subject="Metingen",
    )  # fmt: skip
    cookie = await sync_to_async(_session_cookie)(woo_wim)
    before = _value("balie_open_sockets", kind="woo_review")
    socket = WebsocketCommunicator(
        websocket_application,
        "/ws/woo/utrecht/WOO-2026-101/",
        headers=[ORIGIN, (b"cookie", f"sessionid={cookie}".encode())],
    )
    assert (await socket.connect())[0] is True
    assert _value("balie_open_sockets", kind="woo_review") == before + 1
    await socket.disconnect()
    assert _value("balie_open_sockets", kind="woo_review") == before


def _session_cookie(user) -> str:
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    return browser.cookies["sessionid"].value


@pytest.fixture
def sms_conversation(webchat):
    conversation, _ = webchat
    Conversation.objects.filter(pk=conversation.pk).update(channel=Channel.SMS)
    conversation.refresh_from_db()
    return conversation


def test_queue_depth_counts_the_tasks_waiting(client, token, sms_conversation, agent_anna):
    assert _samples(client)[("balie_task_queue_depth", (("queue", "default"),))] == 0
    for body in ("Eerste", "Tweede"):  # each enqueues its delivery to the SMS channel
        send(sms_conversation, body, direction=Direction.OUTBOUND, author=agent_anna)
    assert _samples(client)[("balie_task_queue_depth", (("queue", "default"),))] == 2


def test_failed_deliveries_per_channel_kind(client, token, sms_conversation, agent_anna):
    def refuse(message):
        raise tasks.DeliveryFailed("invalid_number", "not on the network", retryable=False)

    tasks.register_sender(Channel.SMS, refuse)
    message = send(sms_conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    assert ("balie_failed_deliveries", (("channel", "sms"),)) not in _samples(client)
    assert tasks.deliver_outbound.call(message.pk) == DeliveryStatus.FAILED
    metrics.AT_SCRAPE.forget()
    assert _samples(client)[("balie_failed_deliveries", (("channel", "sms"),))] == 1


def test_nothing_in_the_metrics_names_an_organisation(
    client, token, sms_conversation, groningen_webchat, agent_anna
):
    def refuse(message):
        raise tasks.DeliveryFailed("invalid_number", "not on the network", retryable=False)

    tasks.register_sender(Channel.SMS, refuse)
    message = send(sms_conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    tasks.deliver_outbound.call(message.pk)
    send(groningen_webchat[0], "Vraag uit Groningen")
    text = _scrape(client).content.decode().lower()
    # Sample values are counts (a garbage-collector count may well contain "0344"); what must
    # never name an organisation is a metric's name, its labels and its help text.
    without_values = "\n".join(
        line if line.startswith("#") else line.rsplit(" ", 1)[0] for line in text.splitlines()
    )
    for name in ("utrecht", "groningen", "gemeente", "0344", "0014", agent_anna.username):
        assert name.lower() not in without_values
    assert "organisation" not in text
