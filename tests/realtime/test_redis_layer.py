"""The same round trip over Redis, the channel layer for several server processes.

Runs against the Redis at REDIS_TEST_URL (default 127.0.0.1:6379); mandatory when CI=true.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from channels.layers import get_channel_layer

from tests.realtime.helpers import agent_socket, receive_until, resident_socket

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


if not _redis_up():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"Redis at {REDIS_URL} is not reachable and CI=true")
    pytest.skip(f"Redis at {REDIS_URL} not reachable", allow_module_level=True)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def redis_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "balie.realtime.layers.RedisFanoutLayer",
            "CONFIG": {"url": REDIS_URL, "prefix": f"balie-test-{uuid.uuid4().hex[:8]}"},
        }
    }


async def test_round_trip_and_resume_over_redis(webchat, agent_anna):
    assert type(get_channel_layer()).__name__ == "RedisFanoutLayer"
    conversation, token = webchat
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(resident, "ready")
    agent = await agent_socket(agent_anna)
    await agent.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    await receive_until(agent, "subscribed")

    await resident.send_json_to(
        {"type": "send", "client_id": uuid.uuid4().hex, "body": "Via Redis"}
    )
    seq = (await receive_until(resident, "ack"))["message"]["seq"]
    assert (await receive_until(agent, "message", timeout=5))["message"]["body"] == "Via Redis"

    await resident.disconnect()
    await agent.send_json_to(
        {
            "type": "send",
            "conversation": conversation.pk,
            "client_id": uuid.uuid4().hex,
            "body": "Terwijl u weg was",
        }
    )
    await receive_until(agent, "ack")
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": seq})
    ready = await receive_until(resident, "ready")
    assert [m["body"] for m in ready["messages"]] == ["Terwijl u weg was"]
    await resident.disconnect()
    await agent.disconnect()
