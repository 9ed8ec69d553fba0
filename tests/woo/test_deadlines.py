"""Decision deadlines as the Woo, the Awb and the Algemene termijnenwet count them."""

from __future__ import annotations

from datetime import date

import pytest

from balie.woo.deadlines import decision_deadline, is_day_off


@pytest.mark.parametrize(
    "received, due",
    [
        (date(2026, 11, 3), date(2026, 12, 1)),  # Tuesday + 4 weeks: a Tuesday
        (date(2026, 1, 31), date(2026, 3, 2)),  # 28 Feb 2026 is a Saturday: Monday 2 March
        (date(2026, 12, 1), date(2026, 12, 29)),
        (date(2028, 2, 1), date(2028, 2, 29)),  # a leap year's 29 February
        (date(2026, 12, 31), date(2027, 1, 28)),  # across the year
    ],
)
def test_four_weeks_after_receipt(received, due):
    assert decision_deadline(received).due == due


@pytest.mark.parametrize(
    "received, due, why",
    [
        (date(2026, 3, 30), date(2026, 4, 28), "27 April 2026: King's Day (Monday)"),
        (date(2026, 4, 7), date(2026, 5, 6), "5 May 2026: not a lustrum, still a holiday"),
        (date(2026, 3, 6), date(2026, 4, 7), "3 April: Good Friday; 6 April: Easter Monday"),
        (date(2026, 4, 16), date(2026, 5, 18), "14 May: Ascension Day, 15 May equated, weekend"),
        (date(2026, 4, 27), date(2026, 5, 26), "25 May 2026: Whit Monday"),
        (date(2026, 11, 27), date(2026, 12, 28), "25 December: Friday, then the weekend"),
        (date(2026, 12, 4), date(2027, 1, 4), "1 January 2027: Friday"),
    ],
)
def test_a_deadline_on_a_holiday_or_weekend_moves_to_the_next_working_day(received, due, why):
    deadline = decision_deadline(received)
    assert deadline.due == due, why
    assert deadline.moved_from is not None


def test_days_the_decrees_equate_to_holidays():
    assert is_day_off(date(2026, 5, 15))  # the Friday after Ascension Day
    assert is_day_off(date(2027, 5, 5))  # 5 May on a Wednesday: itself
    assert is_day_off(date(2029, 4, 27))  # King's Day on a Friday
    assert not is_day_off(date(2029, 4, 26))  # the Thursday before it is no day off
    assert is_day_off(date(2025, 12, 26)) and not is_day_off(date(2025, 12, 29))


def test_the_monday_before_and_the_friday_after():
    # 27 April 2027 is a Tuesday: Monday 26 April is equated
    assert is_day_off(date(2027, 4, 26))
    # 5 May 2022 was a Thursday: Friday 6 May is equated
    assert is_day_off(date(2022, 5, 6))
    # an ordinary Wednesday is not
    assert not is_day_off(date(2026, 11, 4))


def test_extension_of_at_most_two_weeks_is_added():
    deadline = decision_deadline(date(2026, 11, 3), extension_days=14)
    assert deadline.due == date(2026, 12, 15)
    assert deadline.term_end == date(2026, 12, 1)
    assert deadline.extension_days == 14


def test_suspended_days_are_added_and_an_open_suspension_has_no_due_date():
    closed = decision_deadline(
        date(2026, 11, 3), suspensions=[(date(2026, 11, 10), date(2026, 11, 17))]
    )
    assert closed.suspended_days == 7
    assert closed.due == date(2026, 12, 8)
    both = decision_deadline(
        date(2026, 11, 3),
        extension_days=7,
        suspensions=[(date(2026, 11, 10), date(2026, 11, 17))],
    )
    assert both.due == date(2026, 12, 15)
    open_ = decision_deadline(date(2026, 11, 3), suspensions=[(date(2026, 11, 10), None)])
    assert open_.due is None
    assert open_.days_left(date(2026, 11, 20)) is None
