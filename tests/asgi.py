"""One HTTP request handed to an ASGI application as a server (uvicorn) would: the scope,
the body in one message, the answer collected. For tests and benchmarks that must go through
``balie.conf.asgi.application`` itself (what runs before Django included), in-process."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


async def request(
    application,
    method: str,
    path: str,
    body: bytes = b"",
    headers: tuple[tuple[bytes, bytes], ...] = (),
    *,
    host: bytes = b"testserver",
) -> Answer:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
        "headers": [(b"host", host), (b"content-length", str(len(body)).encode()), *headers],
    }  # fmt: skip
    answer: dict = {"status": 0, "headers": {}, "body": b""}
    sent, done = False, asyncio.Event()

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        else:
            answer["body"] += message.get("body", b"")
            if not message.get("more_body", False):
                done.set()

    await application(scope, receive, send)
    return Answer(answer["status"], answer["headers"], answer["body"])
