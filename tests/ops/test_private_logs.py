"""Nothing private in the logs: a marked text sent through every failure path never shows up,
in either log format, while the exception's type and the frame that raised it do."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager

import pytest
import structlog
import websockets
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.management import call_command
from django.utils.log import configure_logging
from rest_framework.test import APIClient

from balie.conversations import actions, tasks
from balie.conversations.models import Channel, Conversation, Direction
from balie.errors import NotFound
from balie.realtime import writer
from tests.factories import send
from tests.realtime.helpers import receive_until, resident_socket

pytestmark = pytest.mark.django_db

MARK = "GEHEIM-7f3a"


@pytest.fixture(params=["console", "json"])
def logs(request):
    """Balie's own logging configuration, in one format, writing to a buffer we can read."""
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["formatters"]["structlog"]["fmt"] = request.param
    config["handlers"]["console"]["stream"] = buffer
    configure_logging(settings.LOGGING_CONFIG, config)
    yield buffer
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def _assert_private(text: str, *, exception: str, function: str) -> None:
    assert text, "the failure was logged"
    assert MARK not in text
    assert exception in text
    assert function in text


def _raise_marked(*args, **kwargs):
    raise ValueError(f"kon niet verwerken: {MARK}")


def test_an_api_500_logs_neither_body_nor_querystring_nor_exception_text(
    logs, utrecht_api_key, webchat, monkeypatch
):
    conversation, _token = webchat
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {utrecht_api_key[1]}")
    monkeypatch.setattr(actions, "do_send_message", _raise_marked)
    client.raise_request_exception = False
    monkeypatch.setattr("balie.api.conversations.filter_conversations", _raise_marked)
    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"body": f"mijn BSN {MARK}", "client_id": f"crm-{MARK}"},
        format="json",
    )
    listed = client.get(f"/api/v1/conversations/?case_reference={MARK}")
    assert response.status_code == listed.status_code == 500
    _assert_private(logs.getvalue(), exception="ValueError", function="_raise_marked")
    assert "Internal Server Error: /api/v1/conversations/" in logs.getvalue()


def test_a_failing_upload_logs_neither_filename_nor_content(logs, client, webchat, monkeypatch):
    _conversation, token = webchat
    monkeypatch.setattr(actions, "do_store_attachment", _raise_marked)
    client.raise_request_exception = False
    upload = io.BytesIO(f"inhoud {MARK}".encode())
    upload.name = f"{MARK}.png"
    response = client.post(
        f"/c/utrecht/upload/?name={MARK}", {"file": upload}, headers={"X-Balie-Token": token}
    )
    assert response.status_code == 500
    _assert_private(logs.getvalue(), exception="ValueError", function="_raise_marked")


def test_tokens_in_paths_and_querystrings_are_masked(logs, client, agent_anna, utrecht):
    client.force_login(agent_anna)
    assert client.get(f"/console/utrecht/imports/{MARK}/?q={MARK}").status_code == 404
    assert client.get(f"/c/a/{MARK}/").status_code == 404
    text = logs.getvalue()
    assert "Not Found: /console/utrecht/imports/***/" in text
    assert "Not Found: /c/a/***/" in text
    assert MARK not in text


def test_a_balie_error_keeps_its_code(logs):
    try:
        raise NotFound("conversation_not_found", f"niet gevonden: {MARK}")
    except NotFound:
        logging.getLogger("balie.test").exception("lookup failed")
    text = logs.getvalue()
    assert "conversation_not_found" in text and "NotFound" in text
    assert MARK not in text


def test_locals_are_never_logged(logs):
    def handle(body):
        secret = body  # noqa: F841 - a local the traceback must not show
        raise KeyError(body)

    try:
        handle(MARK)
    except KeyError:
        structlog.get_logger("balie.test").exception("handling failed")
    _assert_private(logs.getvalue(), exception="KeyError", function="handle")


def test_json_keeps_the_frames_as_data(settings):
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["formatters"]["structlog"]["fmt"] = "json"
    config["handlers"]["console"]["stream"] = buffer
    configure_logging(settings.LOGGING_CONFIG, config)
    try:
        _raise_marked()
    except ValueError:
        logging.getLogger("balie.test").exception("failed")
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    (line,) = buffer.getvalue().splitlines()
    (exception,) = json.loads(line)["exception"]
    assert exception["type"] == "builtins.ValueError"
    assert exception["frames"][-1]["function"] == "_raise_marked"
    assert set(exception["frames"][-1]) == {"file", "line", "function"}


@pytest.fixture
def sms_conversation(webchat):
    conversation, _token = webchat
    Conversation.objects.filter(pk=conversation.pk).update(channel=Channel.SMS)
    conversation.refresh_from_db()
    return conversation


@contextmanager
def _signals_kept():
    """db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    kept = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in kept.items():
            signal.signal(signum, handler)


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_a_failing_outbound_delivery_task(logs, sms_conversation, agent_anna, monkeypatch):
    tasks.register_sender(Channel.SMS, _raise_marked)
    try:
        send(sms_conversation, f"Antwoord {MARK}", direction=Direction.OUTBOUND, author=agent_anna)
        # The sender fails (logged by the task), then recording it fails (logged by the worker).
        monkeypatch.setattr(tasks, "do_record_delivery", _raise_marked)
        with _signals_kept():
            call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.01")
    finally:
        tasks.OUTBOUND_SENDERS.pop(Channel.SMS, None)
    text = logs.getvalue()
    _assert_private(text, exception="ValueError", function="_raise_marked")
    assert "outbound delivery failed" in text and "deliver_outbound" in text


def test_a_failed_import_parse(logs, tmp_path, utrecht, agent_anna):
    export = tmp_path / f"WhatsApp-chat met {MARK}.zip"
    export.write_bytes(f"geen zip maar {MARK}".encode())
    with pytest.raises(Exception):  # noqa: B017, PT011 - any failure; the logs are the point
        call_command(
            "import_chats", "whatsapp", str(export), "--organisation", "utrecht",
            "--owner", "agent_anna", stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    assert MARK not in logs.getvalue()


def _raw_send(body: str) -> str:
    return json.dumps({"type": "send", "client_id": uuid.uuid4().hex, "body": body, "ref": "r1"})


@pytest.mark.django_db(transaction=True)
async def test_a_failing_action_and_bad_frames_on_a_socket(logs, webchat, monkeypatch):
    monkeypatch.setattr(writer, "_payload", _raise_marked)
    socket = await resident_socket("utrecht")
    await socket.send_json_to({"type": "hello", "token": webchat[1], "last_seq": 0})
    await receive_until(socket, "ready")
    await socket.send_to(_raw_send(f"mijn BSN {MARK}"))
    assert (await receive_until(socket, "error"))["code"] == "internal_error"
    for bad in (f"{{{MARK}", json.dumps({"type": MARK}), json.dumps({"type": "send", MARK: 1})):
        await socket.send_to(bad)
        await receive_until(socket, "error")
    await socket.disconnect()
    await database_sync_to_async(lambda: None)()
    _assert_private(logs.getvalue(), exception="ValueError", function="_raise_marked")


def test_every_django_logger_goes_through_the_private_formatter(settings):
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    for name in ("django", "django.request", "django.server", "django_tasks", "uvicorn.error"):
        logger = logging.getLogger(name)
        while not logger.handlers and logger.propagate and logger.parent:
            logger = logger.parent
        assert logger.handlers, name
        for handler in logger.handlers:
            assert isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter), name


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_a_running_server_logs_no_path_token_or_exception_text(tmp_path, fmt):
    """uvicorn's own error log ("Exception in ASGI application") as well as Django's."""
    env = {**os.environ, "BALIE_DATA_DIR": str(tmp_path), "BALIE_LOG_FORMAT": fmt}
    env["BALIE_SECRET_KEY"] = "private-logs-" + "k" * 40
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "balie.cli"]
    subprocess.run([*command, "migrate", "-v", "0"], env=env, check=True, timeout=120)
    port = _free_port()
    log_file = tmp_path / "server.log"
    with log_file.open("wb") as log:
        server = subprocess.Popen(
            [*command, "serve", "--no-worker", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/healthz", server)
            _get(f"http://127.0.0.1:{port}/c/a/{MARK}/?x={MARK}")
            asyncio.run(_websocket_without_route(port))
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
    text = log_file.read_text()
    assert "Not Found: /c/a/***/" in text
    assert "Exception in ASGI application" in text
    _assert_private(text, exception="ValueError", function="__call__")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_for(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("balie serve did not come up")


async def _websocket_without_route(port: int) -> None:
    """A path no consumer serves: channels raises with the path in its text."""
    url = f"ws://127.0.0.1:{port}/ws/{MARK}/?token={MARK}"
    with contextlib.suppress(Exception):
        async with websockets.connect(url, origin=f"http://127.0.0.1:{port}", open_timeout=10):
            pass
