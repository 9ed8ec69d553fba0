"""``balie search`` and ``balie search-reindex``."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from balie.archive.models import AuditEntry
from balie.conversations.models import Message
from balie.search.models import SearchEntry

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_search_prints_a_table(corpus, agent_anna):
    out = run("search", "--organisation", "utrecht", "--user", "agent_anna", "vergunning")
    assert "2 messages found" in out
    assert "Parkeervergunning" in out


def test_search_json_and_audit(corpus, woo_wim):
    parking, (p1, _p2, _p3) = corpus["parking"]
    before = AuditEntry.objects.count()
    out = run(
        "search",
        "--organisation=utrecht",
        "--user=woo_wim",
        "--direction=resident",
        "--label=parkeren",
        "--json",
        "--purpose=Woo-verzoek 12",
        "parkeer*",
    )
    body = json.loads(out)
    assert body["count"] == 1
    assert body["results"][0]["message"] == p1.pk
    entry = AuditEntry.objects.order_by("-pk").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.channel, entry.purpose, entry.action) == (
        "cli",
        "Woo-verzoek 12",
        "message.search",
    )


def test_search_errors(corpus, agent_anna, agent_gerrit):
    with pytest.raises(CommandError, match="q: Geef een zoekvraag"):
        run("search", "--organisation", "utrecht", "--user", "agent_anna")
    with pytest.raises(CommandError, match="page_size: page_size moet"):
        run("search", "--organisation=utrecht", "--user=agent_anna", "--page-size=500", "x")
    with pytest.raises(CommandError, match="does not work for"):
        run("search", "--organisation", "utrecht", "--user", "agent_gerrit", "paspoort")
    with pytest.raises(CommandError, match="No active staff user"):
        run("search", "--organisation", "utrecht", "--user", "niemand", "paspoort")


def test_reindex(corpus, woo_wim, utrecht):
    SearchEntry.objects.all().delete()
    out = run("search_reindex", "--organisation", "utrecht")
    assert "Indexed" in out
    assert SearchEntry.objects.count() == 6  # Utrecht's indexed messages
    run("search_reindex")
    assert SearchEntry.objects.count() == 7


def test_search_prints_the_time_the_console_shows(corpus, agent_anna):
    """Issue 10, finding 10: the table printed UTC while the console shows Amsterdam time."""
    parking, (first, _second, _third) = corpus["parking"]
    Message.objects.filter(pk=first.pk).update(created_at=datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    out = run("search", "--organisation", "utrecht", "--user", "agent_anna", "vergunning")
    assert "2026-07-02 00:30" in out and "Europe/Amsterdam" in out  # CEST, the next day
    body = json.loads(
        run("search", "--organisation=utrecht", "--user=agent_anna", "--json", "vergunning")
    )
    times = {hit["message"]: hit["created_at"] for hit in body["results"]}
    assert times[first.pk] == "2026-07-02T00:30:00+02:00"
