"""flood_risk's days: today and tomorrow in Manila, and the hours read around them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from floodingnaque_pipeline.domain.time import MANILA
from floodingnaque_pipeline.ml.risk_days import HISTORY_DAYS, RiskWindow, plan_risk_window


def test_the_window_of_an_ordinary_hour() -> None:
    now = datetime(2024, 7, 10, 3, 27, 41, 5, tzinfo=UTC)  # 11:27 in Manila
    assert plan_risk_window(now) == RiskWindow(
        issued_at=datetime(2024, 7, 10, 3, tzinfo=UTC),
        today=date(2024, 7, 10),
        days=(date(2024, 7, 10), date(2024, 7, 11)),
        start=datetime(2024, 7, 1, tzinfo=MANILA),
        end=datetime(2024, 7, 12, tzinfo=MANILA),
    )
    assert HISTORY_DAYS == 9


def test_today_turns_at_manila_midnight_not_utc() -> None:
    assert plan_risk_window(datetime(2024, 7, 9, 15, 59, 59, tzinfo=UTC)).today == date(2024, 7, 9)
    assert plan_risk_window(datetime(2024, 7, 9, 16, tzinfo=UTC)).today == date(2024, 7, 10)
    # A moment given in Manila time lands on the same day.
    assert plan_risk_window(datetime(2024, 7, 10, 0, 0, tzinfo=MANILA)).today == date(2024, 7, 10)


def test_the_days_cross_month_and_year_ends() -> None:
    month_end = plan_risk_window(datetime(2024, 7, 31, 2, tzinfo=UTC))
    assert month_end.days == (date(2024, 7, 31), date(2024, 8, 1))
    assert month_end.end == datetime(2024, 8, 2, tzinfo=MANILA)
    year_end = plan_risk_window(datetime(2024, 12, 31, 2, tzinfo=UTC))
    assert year_end.days == (date(2024, 12, 31), date(2025, 1, 1))
    leap = plan_risk_window(datetime(2024, 2, 28, 2, tzinfo=UTC))
    assert leap.days == (date(2024, 2, 28), date(2024, 2, 29))


def test_history_starts_nine_manila_midnights_back() -> None:
    window = plan_risk_window(datetime(2024, 8, 3, 2, tzinfo=UTC))
    assert window.start == datetime(2024, 7, 25, tzinfo=MANILA)
    assert window.start.astimezone(UTC) == datetime(2024, 7, 24, 16, tzinfo=UTC)


def test_no_dst_shift_around_other_zones_changes() -> None:
    # US and EU clocks change in March, October and November; Manila's never do.
    for day in (date(2024, 3, 10), date(2024, 3, 31), date(2024, 10, 27), date(2024, 11, 3)):
        window = plan_risk_window(datetime(day.year, day.month, day.day, 4, tzinfo=UTC))
        assert window.start.astimezone(UTC).hour == 16
        assert window.end.astimezone(UTC).hour == 16
        assert (window.end - window.start).total_seconds() == (HISTORY_DAYS + 2) * 86_400


def test_lead_days_count_from_today() -> None:
    window = plan_risk_window(datetime(2024, 7, 31, 2, tzinfo=UTC))
    assert [window.lead_days(d) for d in window.days] == [0, 1]
