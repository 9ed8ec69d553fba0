"""Connect test WebSockets to the real ASGI routing (origin check and session auth included)."""

from __future__ import annotations

import json

from asgiref.sync import sync_to_async
from django.test import Client

from balie.conf.routing import websocket_application
from tests.realtime.communicator import WebsocketCommunicator

ORIGIN = (b"origin", b"http://127.0.0.1")


async def resident_socket(slug: str, client: str = "127.0.0.1") -> WebsocketCommunicator:
    """A resident's socket, connecting from address ``client``."""
    socket = WebsocketCommunicator(
        websocket_application, f"/ws/c/{slug}/", headers=[ORIGIN], client=client
    )
    connected, _ = await socket.connect()
    assert connected
    return socket


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def agent_socket(user) -> WebsocketCommunicator:
    cookie = await sync_to_async(_session_cookie)(user)
    socket = WebsocketCommunicator(
        websocket_application,
        "/ws/agent/",
        headers=[ORIGIN, (b"cookie", f"sessionid={cookie}".encode())],
    )
    connected, _ = await socket.connect()
    assert connected
    hello = await socket.receive_json_from()
    assert hello["type"] == "hello"
    return socket


async def receive_until(socket: WebsocketCommunicator, frame_type: str, timeout: float = 3):
    """Next frame of ``frame_type``, skipping others (inbox updates, read markers)."""
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame


async def drain(socket: WebsocketCommunicator) -> list[dict]:
    frames = []
    while not await socket.receive_nothing(timeout=0.2):
        frames.append(json.loads((await socket.receive_output())["text"]))
    return frames
