"""Two `balie serve` nodes on one PostgreSQL and one Redis, started as separate processes.

What crosses between nodes: messages, typing, read receipts and the live inbox; what happens
when a node is killed mid-stream (SIGKILL) or stopped (SIGTERM); and the three defects of the
old Redis channel layer (issue 16): idle sockets closed after 5 s, disconnects failing when
hundreds of sockets close at once, and a stop that never finished.
"""

from __future__ import annotations

import asyncio
import io
import signal
import time
import uuid

import pytest
import redis
import requests
from PIL import Image

from tests.ops.nodes import (
    IN_THE_POSTGRESQL_PASS,
    REDIS_URL,
    SLUG,
    Socket,
    agent,
    cluster_fixture,
    resident,
    services_or_skip,
)

services_or_skip()

pytestmark = IN_THE_POSTGRESQL_PASS


cluster = cluster_fixture("nodes")


@pytest.fixture
def nodes(cluster):
    """Nodes A and B, stopped after the test."""
    a, b = cluster.start("a"), cluster.start("b")
    yield a, b
    cluster.stop("a", "b")


@pytest.fixture(autouse=True)
async def close_sockets():
    yield
    await Socket.close_all()


def _send(body: str, client_id: str | None = None) -> dict:
    return {"type": "send", "client_id": client_id or uuid.uuid4().hex, "body": body}


async def test_resident_on_one_node_and_agent_on_the_other(cluster, nodes):
    a, b = nodes
    cookie = cluster.agent_cookie(b)
    console = await agent(b, cookie)
    chat, started = await resident(a)
    conversation = started["conversation"]["id"]

    # the live inbox on B hears of the new conversation started on A
    assert (await console.expect("conversation"))["conversation"]["id"] == conversation
    await console.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
    await console.expect("subscribed")

    await chat.send(_send("Hallo vanaf node A"))
    ack = await chat.expect("ack")
    heard = await console.expect("message", message__body="Hallo vanaf node A")
    assert heard["message"]["seq"] == ack["message"]["seq"]
    await console.expect("conversations")  # the inbox line moves with it

    await console.send({**_send("Antwoord vanaf node B"), "conversation": conversation})
    reply = await console.expect("ack")
    assert (await chat.expect("message"))["message"]["body"] == "Antwoord vanaf node B"

    await chat.send({"type": "typing"})
    assert (await console.expect("typing"))["side"] == "resident"
    await console.send({"type": "typing", "conversation": conversation})
    assert (await chat.expect("typing"))["side"] == "agent"

    await chat.send({"type": "read", "seq": reply["message"]["seq"]})
    assert (await console.expect("read", side="resident"))["seq"] == reply["message"]["seq"]
    await console.send({"type": "read", "conversation": conversation, "seq": ack["message"]["seq"]})
    assert (await chat.expect("read", side="agent"))["seq"] == ack["message"]["seq"]

    # each delivered once, however many nodes there are
    assert len(console.of("message")) == 1 and len(chat.of("message")) == 1
    await chat.close()
    await console.close()
    for node in nodes:
        assert '"level": "error"' not in node.log_text()


async def test_node_killed_mid_stream_residents_resume_on_the_other(cluster, nodes):
    """Residents send to A without pause; A is killed; they reconnect to B, resume from the
    last sequence they saw and send what was not acknowledged again (as the page's outbox
    does). Every acknowledged message is stored once and reaches the agent on B once."""
    a, b = nodes
    console = await agent(b, cluster.agent_cookie(b))
    residents = [await resident(a) for _ in range(6)]
    conversations = [started["conversation"]["id"] for _, started in residents]
    for conversation in conversations:
        await console.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        await console.expect("subscribed")

    acked: dict[str, int] = {}  # client_id -> seq
    sent: list[tuple[int, str]] = []  # (resident, client_id), in order

    async def stream(index: int, socket) -> None:
        n = 0
        while True:
            client_id = uuid.uuid4().hex
            sent.append((index, client_id))
            try:
                await socket.send(_send(f"bericht {index}-{n}", client_id))
                ack = await socket.expect("ack", timeout=5, message__client_id=client_id)
            except Exception:  # the node went away: stop; the page would reconnect
                return
            acked[client_id] = ack["message"]["seq"]
            n += 1

    streams = [asyncio.create_task(stream(i, s)) for i, (s, _) in enumerate(residents)]
    await asyncio.sleep(1.5)
    cluster.kill("a")
    await asyncio.wait_for(asyncio.gather(*streams), 30)
    assert len(acked) > 20, "the stream did not get going before the kill"

    # reconnect to B with the token and the last sequence seen, send the unacked again
    for index, (socket, started) in enumerate(residents):
        seen = max((f["message"]["seq"] for f in socket.of("ack")), default=0)
        again, ready = await resident(b, started["token"], last_seq=seen)
        assert all(m["seq"] > seen for m in ready["messages"])
        for _, client_id in [p for p in sent if p[0] == index and p[1] not in acked]:
            await again.send(_send("opnieuw", client_id))
            ack = await again.expect("ack", message__client_id=client_id)
            acked[client_id] = ack["message"]["seq"]
        await again.close()

    rows = cluster.query(
        "SELECT client_id, count(*) FROM conversations_message WHERE conversation_id = ANY(%s)"
        " AND direction = 'inbound' GROUP BY client_id",
        conversations,
    )
    stored = dict(rows)
    assert all(count == 1 for count in stored.values()), "a message was stored twice"
    assert set(acked) <= set(stored), "an acknowledged message is missing"

    # the agent on B: every stored message once (the socket drops repeats by seq)
    deadline = time.monotonic() + 10
    while len(console.of("message")) < len(stored) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    delivered = [(f["message"]["conversation"], f["message"]["seq"]) for f in console.of("message")]
    assert len(delivered) == len(set(delivered)) == len(stored)
    await console.close()


async def test_sigterm_drains_the_node_within_the_timeout(cluster):
    """SIGTERM with Redis: /readyz says draining, sockets are closed with 1012 so the page
    reconnects elsewhere, and the node exits 0 well within BALIE_DRAIN_SECONDS."""
    a = cluster.start("drain-a", BALIE_DRAIN_SECONDS="5")
    b = cluster.start("drain-b")
    try:
        console = await agent(a, cluster.agent_cookie(a))
        chat, started = await resident(a)
        await chat.send(_send("Voor het stoppen"))
        await chat.expect("ack")
        began = time.monotonic()
        cluster.kill("drain-a", signal.SIGTERM)
        assert a.process.wait(timeout=15) == 0
        assert time.monotonic() - began < 5 + 3
        await asyncio.sleep(0.2)
        assert chat.closed_with == 1012 and console.closed_with == 1012
        again, ready = await resident(b, started["token"], last_seq=0)
        assert [m["body"] for m in ready["messages"]] == ["Voor het stoppen"]
        await again.close()
    finally:
        cluster.stop("drain-a", "drain-b")


async def test_idle_sockets_on_two_nodes_still_deliver_after_a_minute(cluster, nodes):
    """redis-py's 5 s default socket timeout once closed idle sockets (defect a)."""
    a, b = nodes
    console = await agent(b, cluster.agent_cookie(b))
    chat, started = await resident(a)
    conversation = started["conversation"]["id"]
    await console.send({"type": "subscribe", "conversation": conversation, "last_seq": 0})
    await console.expect("subscribed")

    await asyncio.sleep(65)

    assert chat.closed_with is None and console.closed_with is None
    await chat.send(_send("Na een minuut stilte"))
    await console.expect("message", message__body="Na een minuut stilte")
    await console.send({**_send("Nog steeds hier"), "conversation": conversation})
    await chat.expect("message", message__body="Nog steeds hier")
    await chat.close()
    await console.close()


async def test_five_hundred_sockets_closing_at_once(cluster, nodes):
    """No error and nothing left behind in Redis (defect b: dead group memberships)."""
    a, b = nodes
    before = set(cluster.redis_keys())
    starters = [await resident(a) for _ in range(10)]
    tokens = [started["token"] for _, started in starters]
    # 500 sockets in the groups of ten conversations, half on each node, all at once
    sockets = await asyncio.gather(*[resident((a, b)[n % 2], tokens[n % 10]) for n in range(500)])
    await asyncio.gather(*[socket.close() for socket, _ in sockets + starters])
    await asyncio.sleep(1)

    for node in nodes:
        errors = [line for line in node.log_text().splitlines() if '"level": "error"' in line]
        assert errors == [], errors[:3]
    # open-socket sets emptied; no group membership in Redis at all
    leftover = [k for k in set(cluster.redis_keys()) - before if ":sockets:" in k]
    for key in leftover:
        assert redis.Redis.from_url(REDIS_URL).zcard(key) == 0, key
    assert not [k for k in cluster.redis_keys() if "group" in k]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def test_a_file_uploaded_on_one_node_is_downloaded_from_the_other(cluster, s3_server):
    """With S3-compatible storage (a moto server here) no file lives on one node's disk."""
    prefix = f"nodes-{uuid.uuid4().hex[:8]}/"
    a = cluster.start("files-a", **s3_server.env(prefix))
    b = cluster.start("files-b", **s3_server.env(prefix))
    try:
        chat, started = await resident(a)
        upload = requests.post(
            f"{a.http}/c/{SLUG}/upload/",
            headers={"X-Balie-Token": started["token"], "Origin": a.http},
            files={"file": ("foto.png", _png(), "image/png")},
            timeout=10,
        )
        assert upload.status_code in (200, 201), upload.text
        attachment = upload.json()["attachment"]["id"]
        await chat.send({**_send("Zie de foto"), "attachments": [attachment]})
        ack = await chat.expect("ack")
        (sent,) = ack["message"]["attachments"]
        assert any(key.startswith(prefix + "blobs/") for key in s3_server.keys(prefix))

        download = requests.get(f"{b.http}{sent['url']}", timeout=10)
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "image/png"
        assert download.content.startswith(b"\x89PNG")
    finally:
        cluster.stop("files-a", "files-b")
