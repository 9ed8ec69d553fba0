"""The staff socket refuses a session whose role needs two-step login until the session has
confirmed it (accounts.twofactor.session_satisfied at connect)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from balie.conf.routing import websocket_application
from tests.accounts.test_twofactor import enrol, password_login
from tests.realtime.communicator import WebsocketCommunicator
from tests.realtime.helpers import ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(client: Client) -> tuple[bool, int | None]:
    cookie = client.cookies["sessionid"].value
    socket = WebsocketCommunicator(
        websocket_application, "/ws/agent/",
        headers=[ORIGIN, (b"cookie", f"sessionid={cookie}".encode())],
    )  # fmt: skip
    connected, code = await socket.connect()
    await socket.disconnect()
    return connected, code


async def test_the_staff_socket_refuses_an_unconfirmed_session(two_factor_enforced, admin_ada):
    client = await sync_to_async(password_login)("admin_ada")
    assert await _connect(client) == (False, 4401)
    await sync_to_async(enrol)(client, admin_ada)
    connected, _code = await _connect(client)
    assert connected
