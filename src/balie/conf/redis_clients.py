"""Redis clients with the settings Balie needs, for the fan-out and the shared limits.

redis-py's defaults do not fit a server with thousands of sockets (issue 16): its asyncio
pool raises ``MaxConnectionsError`` once 100 connections are in use, so a burst of sockets
closing at once failed most of their clean-ups; here a bounded pool makes callers wait for a
free connection instead. Commands time out after 5 s (Redis answers in milliseconds; a
silent one is down), connections send TCP keepalives. A pub/sub subscription, which waits
for messages without a timeout, is made by its owner (``realtime.layers``).
"""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio

MAX_CONNECTIONS = 50  # per process and event loop; callers queue for a free one
WAIT_FOR_CONNECTION_SECONDS = 10

OPTIONS: dict[str, Any] = {
    "socket_timeout": 5.0,
    "socket_connect_timeout": 5.0,
    "socket_keepalive": True,
    "health_check_interval": 30,
}


def async_client(url: str) -> redis.asyncio.Redis:
    pool = redis.asyncio.BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=WAIT_FOR_CONNECTION_SECONDS, **OPTIONS
    )
    return redis.asyncio.Redis.from_pool(pool)  # closing the client closes its pool


def sync_client(url: str) -> redis.Redis:
    pool = redis.BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=WAIT_FOR_CONNECTION_SECONDS, **OPTIONS
    )
    return redis.Redis(connection_pool=pool)
