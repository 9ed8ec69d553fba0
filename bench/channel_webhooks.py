"""Channels benchmark: WhatsApp webhooks in, answers out, and how soon an agent sees it.

Makes a fresh SQLite database in a temporary data directory (or writes into the PostgreSQL
database ``--database-url`` names, a new organisation each run: give it a throwaway one),
an organisation with a team and a WhatsApp channel account, and measures, in this process:

1. webhook deliveries/s accepted and persisted: signed notifications of one message each
   (``--residents`` residents writing in turn, so conversations fill up as they do), POSTed
   ``--concurrency`` at a time (Meta sends many at once) to the ASGI application at
   ``/hooks/<public id>/`` (``balie.conf.asgi.application``: the webhook answered before
   Django, the intake's group commit, the signature, parsing, ``do_receive_many``, the
   fan-out after commit on the event loop: everything uvicorn would run but the socket);
   then one at a time, for comparison; then ``--batch`` messages per notification; then
   every notification delivered again (Meta retries: each must be recognised, not stored
   twice);
2. outbound sends/s: staff answers through the delivery task (``deliver_outbound``, as one
   worker runs it) to the fake Graph API of the tests (``tests/connectors/whatsapp/
   fake_graph.py``) in a child process, with its contract checks off (they cost the fake a
   few ms per call; the tests keep them on);
3. the delay from webhook to agent socket: an agent's WebSocket (the real ASGI routing and
   consumer, in-memory channel layer) subscribed to ``--subscribed`` conversations; each
   webhook is POSTed and timed until the agent's socket gets the message frame (closed loop,
   one at a time): p50/p95/p99.

    python bench/channel_webhooks.py [--deliveries 3000] [--concurrency 50] [--batch 10]
                             [--residents 200] [--sends 500] [--latency 400] [--subscribed 20]
                             [--database-url postgres://postgres@127.0.0.1:5432/balie_bench_ch]

Only talks to 127.0.0.1 and the local database; removes its temporary data directory.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file's name would hide the channels package (Django Channels) from its own directory;
# the repository's root brings the tests' fake Graph API and payload builders.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

TOKEN = "bench-access-token"  # noqa: S105 - a local fake's
APP_SECRET = "bench-app-secret"  # noqa: S105
PHONE_NUMBER_ID = "106540352242922"
TEXT = "Goedemiddag, wanneer wordt het grofvuil in de Kerkstraat opgehaald? Bericht {n}."


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--sends", type=int, default=500)
    parser.add_argument("--latency", type=int, default=400)
    parser.add_argument("--subscribed", type=int, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="balie-bench-channels-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "balie.conf.settings",
            "BALIE_DATA_DIR": str(data_dir),
            "BALIE_LOG_LEVEL": "ERROR",
            "BALIE_ALLOWED_HOSTS": "testserver,127.0.0.1",
        }
    )  # Django's test clients' host
    # fmt: skip
    os.environ.pop("BALIE_REDIS_URL", None)  # the in-memory channel layer
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    fake = FakeGraphProcess()
    try:
        run(args, fake.base_url)
    finally:
        print(f"fake Graph API: {fake.stop()} messages received")
        shutil.rmtree(data_dir, ignore_errors=True)


class FakeGraphProcess:
    """The tests' fake Graph API in a child process (its own interpreter: its work does not
    take this one's GIL)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._answers = context.Queue()
        self._stop = context.Event()
        self._process = context.Process(
            target=_serve_fake, args=(self._answers, self._stop), daemon=True
        )
        self._process.start()
        self.base_url = self._answers.get(timeout=60)

    def stop(self) -> int:
        self._stop.set()
        received = self._answers.get(timeout=30)
        self._process.join(10)
        return received


def _serve_fake(answers, stop) -> None:
    from tests.connectors.whatsapp.fake_graph import FakeGraph

    with FakeGraph(TOKEN, phone_number_id=PHONE_NUMBER_ID, check_contract=False) as fake:
        answers.put(fake.base_url)
        stop.wait()
        answers.put(len(fake.sent))


def run(args, graph_url: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from balie.conversations.models import Message

    call_command("migrate", verbosity=0)
    organisation, account, agent = _setup(graph_url)
    print(f"machine: {os.cpu_count()} CPUs; Python {platform.python_version()}; "
          f"{connection.vendor}; {platform.system()} {platform.release()}")  # fmt: skip

    many = args.concurrency
    posted, seconds = _deliveries(account, args.deliveries, 1, args.residents, start=0,
                                  concurrency=many)  # fmt: skip
    ours = Message.objects.filter(organisation=organisation)  # a database used before
    stored = ours.filter(direction="inbound").count()
    assert stored == posted, f"{posted} delivered, {stored} stored"
    print(f"webhook, 1 message per delivery, {many} in flight: {posted:,} deliveries in "
          f"{seconds:.2f} s = {posted / seconds:,.0f} deliveries/s accepted and persisted "
          f"({stored:,} stored)")  # fmt: skip

    start, alone = args.deliveries, max(1, args.deliveries // 5)
    posted, seconds = _deliveries(account, alone, 1, args.residents, start=start, concurrency=1)
    print(f"webhook, 1 message per delivery, one at a time: {posted:,} deliveries in "
          f"{seconds:.2f} s = {posted / seconds:,.0f} deliveries/s")  # fmt: skip

    start += alone
    posted, seconds = _deliveries(account, args.deliveries // args.batch, args.batch,
                                  args.residents, start=start, concurrency=many)  # fmt: skip
    print(f"webhook, {args.batch} messages per delivery, {many} in flight: {posted:,} deliveries "
          f"in {seconds:.2f} s = {posted / seconds:,.0f} deliveries/s, "
          f"{posted * args.batch / seconds:,.0f} messages/s")  # fmt: skip

    before = ours.count()
    posted, seconds = _deliveries(account, args.deliveries, 1, args.residents, start=0,
                                  concurrency=many)  # fmt: skip
    assert ours.count() == before, "a delivery repeated was stored twice"
    print(f"webhook, the same deliveries again (Meta's retries): {posted / seconds:,.0f} "
          f"deliveries/s recognised, none stored twice")  # fmt: skip

    sent, seconds = _sends(account, agent, args.sends)
    print(f"outbound: {sent:,} answers through the delivery task in {seconds:.2f} s = "
          f"{sent / seconds:,.0f} sends/s (one worker, fake Graph API on 127.0.0.1)")  # fmt: skip

    delays = asyncio.run(_latency(account, agent, args.latency, args.subscribed))
    p50, p95, p99 = (percentile(delays, pct) * 1000 for pct in (50, 95, 99))
    print(f"webhook -> agent socket, {len(delays)} messages one at a time: p50 {p50:.1f} ms, "
          f"p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {max(delays) * 1000:.1f} ms")  # fmt: skip


def _setup(graph_url: str):
    from balie.accounts.actions import do_create_staff_user, do_set_membership
    from balie.accounts.models import Role
    from balie.connectors.accounts import do_add_channel
    from balie.conversations import actions
    from balie.tenants.actions import do_create_organisation

    run = f"{int(time.time())}"  # a new organisation, also in a database used before
    organisation = do_create_organisation(name="Benchstad", slug=f"bench-{run}")
    agent = do_create_staff_user(username=f"agent_bench_{run}", password=secrets.token_urlsafe(16))
    do_set_membership(agent, organisation, Role.AGENT)
    actions.do_create_team(organisation, name="Algemeen", members=[agent], is_default=True)
    account = do_add_channel(
        organisation.pk, actor=None, kind="whatsapp", name="WhatsApp",
        settings={"phone_number_id": PHONE_NUMBER_ID, "graph_url": graph_url},
        secrets={"access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": "v"},
    )  # fmt: skip
    return organisation, account, agent


def _resident(n: int) -> str:
    return f"3161{n:07d}"


def _bodies(count: int, batch: int, residents: int, start: int) -> list[tuple[bytes, str]]:
    from tests.connectors.whatsapp import payloads

    signed = []
    for d in range(count):
        numbers = [start + d * batch + i for i in range(batch)]
        notification = payloads.notification(
            contacts=[payloads.contact(_resident(n % residents), f"Inwoner {n % residents}")
                      for n in numbers],
            messages=[payloads.text(f"wamid.BENCH{n:09d}", _resident(n % residents),
                                    TEXT.format(n=n)) for n in numbers],
        )  # fmt: skip
        signed.append(payloads.signed(notification, APP_SECRET))
    return signed


def _deliveries(account, count: int, batch: int, residents: int, *, start: int, concurrency: int):
    """POST each delivery through the ASGI application, as uvicorn hands it over: the async
    webhook view queues it for the intake's group commit (one transaction in Django's thread
    for the requests in flight together), the fan-out after commit goes from the event
    loop."""
    bodies = _bodies(count, batch, residents, start)
    return count, asyncio.run(_post_all(account, bodies, concurrency))


async def _post_all(account, bodies: list[tuple[bytes, str]], concurrency: int) -> float:
    """``concurrency`` requests in flight at a time, as Meta sends them, each handed to the
    ASGI application as uvicorn would (``balie.conf.asgi.application``)."""
    from balie.conf.asgi import application

    path = f"/hooks/{account.public_id}/"
    pending = iter(bodies)

    async def post_in_turn() -> None:
        for body, signature in pending:
            status = await _asgi_post(application, path, body, signature)
            assert status == 200, status

    began = time.perf_counter()
    await asyncio.gather(*(post_in_turn() for _ in range(concurrency)))
    return time.perf_counter() - began


async def _asgi_post(application, path: str, body: bytes, signature: str) -> int:
    """One POST through the ASGI application: its status once the answer is complete."""
    from tests.asgi import request

    headers = ((b"content-type", b"application/json"), (b"x-hub-signature-256", signature.encode()))
    return (await request(application, "POST", path, body, headers, host=b"127.0.0.1")).status


def _sends(account, agent, count: int):
    from django_tasks_db.models import DBTaskResult

    from balie.connectors.models import ChannelThread
    from balie.conversations import actions, tasks

    threads = list(ChannelThread.objects.filter(account=account).select_related("conversation"))
    replies = [
        actions.do_send_message(
            threads[n % len(threads)].conversation, direction="outbound",
            body=f"Het grofvuil wordt donderdag opgehaald. Antwoord {n}.",
            client_id=f"bench-reply-{n:08d}", author=agent,
        ).message
        for n in range(count)
    ]  # fmt: skip
    DBTaskResult.objects.all().delete()  # run here, as one worker would
    began = time.perf_counter()
    for reply in replies:
        outcome = tasks.deliver_outbound.call(reply.pk)
        assert outcome == "sent", outcome
    return count, time.perf_counter() - began


async def _latency(account, agent, count: int, subscribed: int) -> list[float]:
    from asgiref.sync import sync_to_async

    from balie.connectors.models import ChannelThread
    from tests.connectors.whatsapp import payloads
    from tests.realtime.helpers import agent_socket, receive_until

    threads = await sync_to_async(
        lambda: list(ChannelThread.objects.filter(account=account).order_by("pk")[:subscribed])
    )()
    socket = await agent_socket(agent)
    for thread in threads:
        await socket.send_json_to(
            {"type": "subscribe", "conversation": thread.conversation_id, "last_seq": 10**9}
        )
        await receive_until(socket, "subscribed", timeout=10)
    from balie.conf.asgi import application

    path = f"/hooks/{account.public_id}/"
    delays = []
    for n in range(count):
        thread = threads[n % len(threads)]
        text = f"Latentie {n}"
        notification = payloads.notification(
            messages=[payloads.text(f"wamid.LAT{n:09d}", thread.address, text)]
        )
        body, signature = payloads.signed(notification, APP_SECRET)
        began = time.perf_counter()
        assert await _asgi_post(application, path, body, signature) == 200
        while True:
            frame = await receive_until(socket, "message", timeout=10)
            if frame.get("message", {}).get("body") == text:
                break
        delays.append(time.perf_counter() - began)
    await socket.disconnect()
    return delays


if __name__ == "__main__":
    main()
