"""`balie demo`, `balie serve`, /healthz and /readyz as an operator uses them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

from balie.web import health


def run_balie(*args: str, data_dir, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "BALIE_DATA_DIR": str(data_dir), **env}
    environment.pop("DATABASE_URL", None)  # the demo is embedded SQLite by definition
    return subprocess.run(
        [sys.executable, "-m", "balie.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_sets_up_sqlite_and_a_second_run_reuses_it(tmp_path):
    first = run_balie("demo", "--no-serve", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "http://127.0.0.1:8000/c/utrecht/" in first.stdout
    assert "agent_anna_utrecht" in first.stdout and "demo-wachtwoord" in first.stdout
    assert (tmp_path / "balie.sqlite3").exists()

    second = run_balie("demo", "--no-serve", data_dir=tmp_path)
    assert second.returncode == 0, second.stderr
    count = run_balie(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from balie.conversations.models import Message, Conversation;"
        "print(Conversation.objects.count(), Message.objects.count())",
        data_dir=tmp_path,
    )
    # 14 web chats and 44 messages in 2 municipalities, plus Utrecht's demo WhatsApp channel
    # (2 conversations, 4 messages): not doubled by the second run
    assert count.stdout.split() == ["16", "48"]


def test_serve_refuses_the_demo_secret_key(db, settings):
    settings.SECRET_KEY = settings.DEMO_SECRET_KEY
    with pytest.raises(CommandError, match="BALIE_SECRET_KEY"):
        call_command("serve")


def test_healthz_is_liveness_and_readyz_reports_database(client, db):
    """/healthz only says the process answers; the database is /readyz's (issue 16)."""
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"]["status"] == "ok"


def test_readyz_reports_unreachable_database(client, db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("down")

    # The check runs in a thread of its own, with a connection of its own: break them all.
    monkeypatch.setattr(type(connections[DEFAULT_DB_ALIAS]), "cursor", broken_cursor)
    health.forget()  # no earlier answer, reused for a second
    response = client.get("/readyz")
    monkeypatch.undo()  # the test database teardown needs a working cursor
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    database = response.json()["checks"]["database"]
    assert database == {"status": "error", "error": "OperationalError", "ms": database["ms"]}
