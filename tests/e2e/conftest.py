"""Browser tests against the real ASGI app, served by uvicorn inside the test process.

``asgi_server`` (not ``live_server``: pytest-django owns that name) runs
``balie.conf.asgi:application`` on a free 127.0.0.1 port in a thread with its own event loop,
against the pytest test database. Use ``@pytest.mark.django_db(transaction=True)``: the
server's threads have their own database connections and only see committed data.
``live_server_url`` is its base URL. Being in the same process, the server shares the
in-memory channel layer with the test: write test data with ``asgi_server.call(fn, ...)``,
which runs ``fn`` in the server's sync thread the way a view or consumer would, so the events
it sends on commit reach the open sockets. Read the database through ``call`` as well once a
page is open: the Playwright sync API runs an event loop in the test's thread, where Django
refuses database access.

``browser_page(width, height)`` opens a page in Debian's Chromium (never a downloaded browser).
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from asgiref.sync import sync_to_async
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """uvicorn serving the ASGI app in a background thread, on a loop the test can reach."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            "balie.conf.asgi:application",
            host="127.0.0.1",
            port=self.port,
            ws="websockets-sansio",
            lifespan="off",
            log_level="warning",
        )
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="live-server", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def call(self, function, *args, **kwargs):
        """Run a sync function in the server's sync thread, as a view would; return its result."""
        future = asyncio.run_coroutine_threadsafe(
            sync_to_async(function)(*args, **kwargs), self.loop
        )
        return future.result(timeout=15)

    def stop(self) -> None:
        self.call(connections.close_all)
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.loop.close()


@contextmanager
def _short_lived_connections():
    """Close the server threads' connections after each request and each socket's query
    (CONN_MAX_AGE=0), so none is left open when the test database is flushed or dropped."""
    database = connections.settings["default"]
    before = database.get("CONN_MAX_AGE")
    database["CONN_MAX_AGE"] = 0
    try:
        yield
    finally:
        database["CONN_MAX_AGE"] = before


@pytest.fixture
def asgi_server(transactional_db):
    with _short_lived_connections():
        server = LiveServer()
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def live_server_url(asgi_server) -> str:
    """Base URL of the running app, e.g. ``http://127.0.0.1:53817`` (no trailing slash)."""
    return asgi_server.url


@pytest.fixture
def browser_page():
    """Factory: ``browser_page(width, height, locale="nl-NL")`` → a Playwright page.

    Fails the test on an uncaught JavaScript error in any page it opened.
    """
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_page(width: int = 360, height: int = 740, locale: str = "nl-NL"):
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale=locale
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: _csp_violation(message, errors))
            return page

        try:
            yield open_page
        finally:
            browser.close()
    assert errors == [], errors


def _csp_violation(message, errors: list[str]) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        errors.append(message.text)


def screenshot(page, name: str) -> None:
    """Save a screenshot when BALIE_SCREENSHOTS names a directory (for looking, not asserting)."""
    directory = os.environ.get("BALIE_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / name), full_page=False)
