"""The supervisor dashboard page, its live queue and its CSV export in the console."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from balie.conversations import actions
from balie.web.console import charts
from tests.factories import make_timed

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PERIOD = "since=2026-03-02&until=2026-03-03"


@pytest.fixture
def figures(utrecht, utrecht_team, groningen_team):
    """Two answered web chats on 2 March (20 s and 40 s), one waiting WhatsApp on 3 March."""
    day = datetime(2026, 3, 2, 9, 0, tzinfo=AMSTERDAM)
    make_timed(utrecht, created=day, first_response=20, resolved=300, status="closed")
    make_timed(utrecht, created=day.replace(hour=11), first_response=40, resolved=900)
    make_timed(utrecht, created=day.replace(day=3), channel="whatsapp", waiting_since=day)


def test_lead_sees_the_figures_and_the_inbox_links_there(client, figures, lead_lotte):
    client.force_login(lead_lotte)
    assert "/console/utrecht/dashboard/" in client.get("/console/utrecht/").text

    page = client.get(f"/console/utrecht/dashboard/?{PERIOD}")

    assert page.status_code == 200
    text = page.text
    assert "Gesprekken begonnen in deze periode: 3" in text
    # First answers 20 and 40 s: median 30 s, p90 20 + 20·0.9 = 38 s.
    assert (
        '<tr data-key="02-03"><th scope="row">02-03</th><td>2</td><td>30 s</td><td>38 s</td>'
        in text
    )
    assert "<svg" in text and "<desc" in text
    # SVG coordinates keep their decimal point on a Dutch page ("12,5" would break them).
    assert re.search(r'(x|y|width|height)="\d+,\d', text) is None
    assert re.search(r'<rect x="\d+(\.\d+)?" y="\d+(\.\d+)?"', text)


def test_chart_geometry_and_axis():
    chart = charts.bar_chart([("08", [2.0]), ("09", [0.0]), ("10", [1.0])], series_names=["n"])
    assert [bar.height for bar in chart.bars] == [chart.baseline - charts.TOP, 0, 100.0]
    assert [tick.text for tick in chart.ticks] == ["0.0", "0.5", "1.0", "1.5", "2.0"]
    assert [label.text for label in chart.labels] == ["08", "09", "10"]
    assert charts.bar_chart([], series_names=["n"]).bars == []


def test_agents_may_not_and_other_municipalities_do_not_exist(
    client, figures, agent_anna, agent_gerrit, admin_ada
):
    client.force_login(agent_anna)
    for path in ("dashboard/", "dashboard/export.csv", "dashboard/queue/"):
        assert client.get(f"/console/utrecht/{path}").status_code == 403
    client.force_login(agent_gerrit)  # Groningen: Utrecht's pages are not there for them
    for path in ("dashboard/", "dashboard/export.csv", "dashboard/queue/"):
        assert client.get(f"/console/utrecht/{path}").status_code == 404
    client.force_login(admin_ada)
    assert client.get("/console/utrecht/dashboard/").status_code == 200


def test_bad_filters_are_named_beside_the_form(client, figures, lead_lotte):
    client.force_login(lead_lotte)
    page = client.get("/console/utrecht/dashboard/?since=2026-13-01")
    assert page.status_code == 400
    assert "&#x27;2026-13-01&#x27; is geen datum" in page.text
    assert 'aria-invalid="true"' in page.text
    assert client.get("/console/utrecht/dashboard/export.csv?channel=fax").status_code == 400
    answer = client.get("/console/utrecht/dashboard/queue/?until=gisteren")
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_filter")


def test_queue_as_json(client, figures, lead_lotte, utrecht_team):
    client.force_login(lead_lotte)
    rows = client.get("/console/utrecht/dashboard/queue/").json()["rows"]
    assert [(r["team"], r["open_unassigned"], r["waiting"]) for r in rows] == [("Algemeen", 2, 1)]


def test_export_is_excel_csv_with_defused_formulas(client, utrecht, figures, lead_lotte):
    team = actions.do_create_team(utrecht, name='=HYPERLINK("http://x")')
    make_timed(
        utrecht, created=datetime(2026, 3, 2, 12, tzinfo=AMSTERDAM), first_response=7, team=team
    )
    client.force_login(lead_lotte)

    export = client.get(f"/console/utrecht/dashboard/export.csv?{PERIOD}")

    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert export["Content-Disposition"] == (
        'attachment; filename="dashboard-utrecht-2026-03-02-2026-03-03.csv"'
    )
    assert export.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Indeling", "Groep", "Meting", "Gesprekken", "Mediaan (seconden)",
        "90e percentiel (seconden)",
    ]  # fmt: skip
    assert ["Dag", "2026-03-02", "Eerste reactie", "3", "20,0", "36,0"] in rows
    assert ["Team", '\'=HYPERLINK("http://x")', "Eerste reactie", "1", "7,0", "7,0"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_page_queries_do_not_grow_with_conversations(
    client, utrecht, figures, lead_lotte, django_assert_max_num_queries
):
    for hour in range(10, 22):
        make_timed(utrecht, created=datetime(2026, 3, 2, hour, tzinfo=AMSTERDAM), first_response=9)
    client.force_login(lead_lotte)
    # Session and user, the organisation, the roles once, the teams, then one aggregate per
    # figure: the hours, 2 measures × 3 groupings, the queue.
    with django_assert_max_num_queries(13):
        assert client.get(f"/console/utrecht/dashboard/?{PERIOD}").status_code == 200


def test_a_chart_axis_names_each_value_once():
    from balie.web.console.charts import bar_chart

    def seconds(value):
        return f"{round(value)} s"

    empty = bar_chart([("06-12", [0.0, 0.0])], series_names=["a", "b"], show=seconds)
    assert [t.text for t in empty.ticks] == ["0 s"]
    small = bar_chart([("06-12", [0.4, 1.6])], series_names=["a", "b"], show=seconds)
    texts = [t.text for t in small.ticks]
    assert texts == sorted(set(texts), key=texts.index) and len(texts) == len(set(texts))
    assert texts[0] == "0 s" and texts[-1] == "2 s"
