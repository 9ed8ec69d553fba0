"""PostgreSQL: search entries live in monthly partitions, made when needed; a window is
filled from the newest months backwards."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection, transaction

from balie.conversations.models import Message
from balie.search import index, partitions
from balie.search.tasks import make_search_partitions
from tests.factories import send
from tests.search.helpers import search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's partitions"),
]


def _months() -> list[date]:
    with connection.cursor() as cursor:
        return partitions.months(cursor)


def _backdate(message: Message, moment: datetime) -> None:
    Message.objects.filter(pk=message.pk).update(created_at=moment)
    message.refresh_from_db()
    index.reindex_message(message)


def _partition_of(message: Message) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM search_entry WHERE message_id = %s",
            [message.pk],
        )
        return cursor.fetchone()[0]


def test_entries_go_to_their_months_partition_made_on_demand(webchat):
    conversation, _ = webchat
    message = send(conversation, "Een vraag over de toeristenbelasting")
    _backdate(message, datetime(2019, 3, 14, 23, 30, tzinfo=UTC))
    assert _partition_of(message) == "search_entry_p201903"
    assert date(2019, 3, 1) in _months()


def test_a_rolled_back_partition_is_made_again(webchat):
    conversation, _ = webchat
    message = send(conversation, "Een vraag over de precariobelasting")
    with pytest.raises(RuntimeError), transaction.atomic():
        _backdate(message, datetime(2018, 5, 2, tzinfo=UTC))
        raise RuntimeError("rolled back with its new partition")
    assert date(2018, 5, 1) not in _months()
    _backdate(message, datetime(2018, 5, 2, tzinfo=UTC))
    assert _partition_of(message) == "search_entry_p201805"


def test_the_daily_job_makes_this_month_and_the_next_two():
    made = make_search_partitions.call()
    assert len(made) == 3
    first = date.fromisoformat(made[0] + "-01")
    assert first == datetime.now(UTC).date().replace(day=1)
    assert {date.fromisoformat(m + "-01") for m in made} <= set(_months())
    assert make_search_partitions.call() == made  # again: nothing new, no error


def test_a_window_is_filled_newest_first_across_months(settings, webchat, woo_wim, utrecht):
    conversation, _ = webchat
    dates = [datetime(2021, month, 10, tzinfo=UTC) for month in (1, 2, 3, 5, 9)]
    sent = []
    for n, moment in enumerate(dates):
        message = send(conversation, f"Bericht {n} over de hondenbelasting")
        _backdate(message, moment)
        sent.append(message)
    settings.SEARCH_MAX_RESULTS = 3
    page = search(woo_wim, utrecht, "hondenbelasting", sort="date")
    assert (page.total, page.exact) == (3, False)
    assert [h.message_id for h in page.hits] == [m.pk for m in reversed(sent[2:])]
    older = search(woo_wim, utrecht, "hondenbelasting", to="2021-02-28")
    assert {h.message_id for h in older.hits} == {sent[0].pk, sent[1].pk}
    settings.SEARCH_MAX_RESULTS = 100
    assert search(woo_wim, utrecht, "hondenbelasting").total == 5


def test_periods_are_months_then_quarters_then_years():
    from balie.search.backends.postgres import _slices

    months = [date(2026 - n // 12, 12 - n % 12, 1) for n in range(20 * 12)]  # 20 years
    slices = _slices(months)
    lengths = [round((hi - lo).days / 30.4) for lo, hi in slices]
    assert lengths == [1] * 24 + [3] * 8 + [12] * 16
    assert slices[0][1] == datetime(2027, 1, 1, tzinfo=UTC)
    assert slices[-1][0] == datetime(2007, 1, 1, tzinfo=UTC)


def test_connections_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.parametrize("estimate", [0.0, 1e9])
def test_both_plans_give_the_same_window(
    settings, monkeypatch, webchat, woo_wim, utrecht, estimate
):
    """One pass when the planner expects fewer matches than the window, by period when it
    expects more: only the speed differs."""
    from balie.search.backends import postgres

    conversation, _ = webchat
    sent = []
    for n, moment in enumerate(datetime(2022, m, 3, tzinfo=UTC) for m in (2, 4, 6, 8)):
        message = send(conversation, f"Bericht {n} over de rioolheffing")
        _backdate(message, moment)
        sent.append(message)
    monkeypatch.setattr(postgres, "_estimated_rows", lambda matching: estimate)
    settings.SEARCH_MAX_RESULTS = 3
    newest = search(woo_wim, utrecht, "rioolheffing", sort="date")
    assert [h.message_id for h in newest.hits] == [m.pk for m in reversed(sent[1:])]
    second = search(woo_wim, utrecht, "rioolheffing", page_size="2", page="2")
    assert (second.total, len(second.hits)) == (3, 1)
