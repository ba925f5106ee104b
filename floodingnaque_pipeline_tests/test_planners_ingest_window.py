"""The ingest windows: what open_meteo_raw fetches for the month in progress, which hours a
month's weather_data rebuild rewrites, and the window the checks measure. Manila months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from floodingnaque_pipeline.domain.ingest_window import (
    INCREMENTAL_LOOKBACK,
    INCREMENTAL_OVERLAP,
    FetchWindow,
    MonthRebuild,
    fetch_in_progress,
    plan_fetch,
    plan_month_rebuild,
    plan_quality_window,
)
from floodingnaque_pipeline.domain.time import MANILA

# July 2024 as the monthly partition sees it: Manila midnights, 16:00Z the day before.
JULY = datetime(2024, 7, 1, tzinfo=MANILA)
AUGUST = datetime(2024, 8, 1, tzinfo=MANILA)
SIX_HOURS = timedelta(hours=6)
US = timedelta(microseconds=1)


def test_constants_are_the_documented_rule() -> None:
    assert INCREMENTAL_OVERLAP == timedelta(hours=3)
    assert INCREMENTAL_LOOKBACK == timedelta(days=7)


def test_manila_month_starts_at_1600_utc_the_day_before() -> None:
    assert JULY.astimezone(UTC) == datetime(2024, 6, 30, 16, tzinfo=UTC)
    # No DST in Manila: March and November (DST changes elsewhere) start at 16:00Z too.
    for month in (3, 4, 10, 11):
        assert datetime(2024, month, 1, tzinfo=MANILA).astimezone(UTC).hour == 16


def test_in_progress_only_for_one_partition_reaching_past_now() -> None:
    now = datetime(2024, 7, 15, 3, tzinfo=UTC)
    assert fetch_in_progress(1, AUGUST, now)
    assert not fetch_in_progress(2, AUGUST, now)  # a backfill that includes it
    assert not fetch_in_progress(1, JULY, now)  # a settled month


def test_in_progress_ends_exactly_at_the_month_end() -> None:
    assert fetch_in_progress(1, AUGUST, AUGUST - US)
    assert not fetch_in_progress(1, AUGUST, AUGUST)
    # The same instant in UTC: the month ends at 16:00Z on July 31.
    assert not fetch_in_progress(1, AUGUST, datetime(2024, 7, 31, 16, tzinfo=UTC))
    assert fetch_in_progress(1, AUGUST, datetime(2024, 7, 31, 15, 59, tzinfo=UTC))


def test_incremental_fetch_starts_three_hours_before_the_newest_hour() -> None:
    newest = datetime(2024, 7, 15, 2, tzinfo=UTC)
    fetch = plan_fetch(JULY, AUGUST, in_progress=True, newest_complete_hour=newest)
    assert fetch == FetchWindow(JULY, AUGUST, True, datetime(2024, 7, 14, 23, tzinfo=UTC))
    assert fetch.incremental


def test_incremental_fetch_reaches_into_the_previous_month() -> None:
    # The first tick of a month re-fetches the last hours of the month before.
    newest = JULY + timedelta(hours=1)
    fetch = plan_fetch(JULY, AUGUST, in_progress=True, newest_complete_hour=newest)
    assert fetch.fetch_from == JULY - timedelta(hours=2)
    assert fetch.fetch_from.astimezone(UTC) == datetime(2024, 6, 30, 14, tzinfo=UTC)


def _fetch_from(newest: datetime) -> datetime | None:
    return plan_fetch(JULY, AUGUST, in_progress=True, newest_complete_hour=newest).fetch_from


def test_incremental_fetch_looks_back_at_most_seven_days_before_the_month() -> None:
    bound = JULY - timedelta(days=7)
    at_bound = bound + INCREMENTAL_OVERLAP
    assert _fetch_from(at_bound) == bound
    assert _fetch_from(at_bound - timedelta(hours=1)) == bound
    assert _fetch_from(at_bound + timedelta(hours=1)) == bound + timedelta(hours=1)
    assert _fetch_from(datetime(2024, 3, 1, tzinfo=UTC)) == bound  # a long outage


def test_whole_window_when_some_location_has_no_hour_yet() -> None:
    fetch = plan_fetch(JULY, AUGUST, in_progress=True, newest_complete_hour=None)
    assert fetch == FetchWindow(JULY, AUGUST, True, None)
    assert not fetch.incremental


def test_settled_months_ignore_the_newest_hour() -> None:
    newest = datetime(2024, 7, 15, 2, tzinfo=UTC)
    fetch = plan_fetch(JULY, AUGUST, in_progress=False, newest_complete_hour=newest)
    assert fetch == FetchWindow(JULY, AUGUST, False, None)


def test_rebuild_skips_a_month_not_begun() -> None:
    assert (
        plan_month_rebuild(AUGUST, datetime(2024, 9, 1, tzinfo=MANILA), JULY, overlap=SIX_HOURS)
        is None
    )
    assert plan_month_rebuild(JULY, AUGUST, JULY, overlap=SIX_HOURS) is None
    assert plan_month_rebuild(JULY, AUGUST, JULY - US, overlap=SIX_HOURS) is None


def test_rebuild_of_the_month_in_progress_ends_now_and_overlaps() -> None:
    now = JULY + timedelta(hours=1)
    assert plan_month_rebuild(JULY, AUGUST, now, overlap=SIX_HOURS) == MonthRebuild(
        JULY, now, SIX_HOURS
    )
    last = AUGUST - US
    assert plan_month_rebuild(JULY, AUGUST, last, overlap=SIX_HOURS) == MonthRebuild(
        JULY, last, SIX_HOURS
    )


def test_rebuild_of_a_settled_month_stays_inside_it() -> None:
    assert plan_month_rebuild(JULY, AUGUST, AUGUST, overlap=SIX_HOURS) == MonthRebuild(
        JULY, AUGUST, timedelta(0)
    )
    later = datetime(2025, 1, 1, tzinfo=UTC)
    assert plan_month_rebuild(JULY, AUGUST, later, overlap=SIX_HOURS) == MonthRebuild(
        JULY, AUGUST, timedelta(0)
    )


def test_quality_window_of_the_month_in_progress() -> None:
    now = datetime(2024, 7, 15, 3, tzinfo=UTC)
    window = plan_quality_window(JULY, AUGUST, now, recent_span=timedelta(hours=24))
    assert (window.start, window.end, window.current) == (JULY, now, True)
    assert window.recent_start == now - timedelta(hours=24)


def test_quality_window_of_settled_months() -> None:
    for now in (AUGUST, AUGUST + timedelta(days=40)):
        window = plan_quality_window(JULY, AUGUST, now, recent_span=timedelta(hours=24))
        assert (window.start, window.end, window.current, window.recent_start) == (
            JULY,
            AUGUST,
            False,
            None,
        )
