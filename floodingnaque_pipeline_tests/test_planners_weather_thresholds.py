"""weather_data's check verdicts at and around each threshold (July: 744 hours a location)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from floodingnaque_pipeline.domain.weather_thresholds import (
    CURRENT_ERROR_BELOW,
    FRESHNESS_WARN_AFTER,
    HISTORY_ERROR_BELOW,
    NULL_ERROR_ABOVE,
    RECENT_SPAN,
    Failure,
    judge_any_is_error,
    judge_completeness,
    judge_freshness,
    judge_null_core,
)

JULY_HOURS = 744
ERROR, WARN = Failure.ERROR, Failure.WARN


def _share(missing: int) -> float:
    return (JULY_HOURS - missing) / JULY_HOURS


def _completeness(missing: int, current: bool, recent: int = 0) -> Failure | None:
    coverage = {"baclaran": _share(missing), "tambo": 1.0}
    return judge_completeness(coverage, {"baclaran": recent, "tambo": 0}, current).failure


def test_thresholds_are_the_documented_ones() -> None:
    assert (HISTORY_ERROR_BELOW, CURRENT_ERROR_BELOW) == (0.99, 0.995)
    assert (NULL_ERROR_ABOVE, RECENT_SPAN) == (0.001, timedelta(hours=24))
    assert FRESHNESS_WARN_AFTER == timedelta(hours=2)


def test_failures_name_dagster_severities() -> None:
    assert dg.AssetCheckSeverity(WARN.value) == dg.AssetCheckSeverity.WARN
    assert dg.AssetCheckSeverity(ERROR.value) == dg.AssetCheckSeverity.ERROR


def test_closed_month_errors_from_the_eighth_missing_hour() -> None:
    assert _completeness(0, current=False) is None
    assert _completeness(1, current=False) is WARN
    assert _completeness(7, current=False) is WARN  # 99.06 %
    assert _completeness(8, current=False) is ERROR  # 98.92 %


def test_closed_month_exactly_at_the_threshold_is_a_warning() -> None:
    assert judge_completeness({"a": 0.99}, {}, False).failure is WARN
    assert judge_completeness({"a": 0.98999}, {}, False).failure is ERROR


def test_month_in_progress_is_held_to_99_5_percent() -> None:
    assert _completeness(3, current=True) is WARN  # 99.60 %
    assert _completeness(4, current=True) is ERROR  # 99.46 %
    assert judge_completeness({"a": 0.995}, {}, True).failure is WARN
    assert judge_completeness({"a": 0.99499}, {}, True).failure is ERROR


def test_any_recent_gap_is_an_error() -> None:
    assert _completeness(1, current=True, recent=1) is ERROR
    assert _completeness(1, current=True, recent=0) is WARN


def test_completeness_names_the_worst_location() -> None:
    verdict = judge_completeness(
        {"a": 0.999, "b": 0.98, "c": 1.0}, {"a": 0, "b": 2, "c": 0}, current=True
    )
    assert (verdict.worst_slug, verdict.worst) == ("b", 0.98)
    assert verdict.error_below == CURRENT_ERROR_BELOW
    assert dict(verdict.recent_gaps) == {"b": 2}  # locations without a gap left out
    assert verdict.incomplete == 2


def test_no_active_location_passes() -> None:
    verdict = judge_completeness({}, {}, current=False)
    assert (verdict.failure, verdict.worst_slug, verdict.worst) == (None, "-", 1.0)
    assert verdict.error_below == HISTORY_ERROR_BELOW


def test_null_core_values_error_above_one_in_a_thousand() -> None:
    rows = 16 * JULY_HOURS  # 11,904: ERROR from the 12th NULL row
    assert judge_null_core(0, rows).failure is None
    assert judge_null_core(1, rows).failure is WARN
    assert judge_null_core(11, rows).failure is WARN
    assert judge_null_core(12, rows).failure is ERROR
    assert judge_null_core(12, rows).share == 12 / rows


def test_null_core_share_exactly_at_the_threshold_is_a_warning() -> None:
    assert judge_null_core(1, 1000).failure is WARN
    assert judge_null_core(2, 1999).failure is ERROR


def test_empty_window_has_no_null_share() -> None:
    assert judge_null_core(0, 0).failure is None
    assert judge_null_core(0, 0).share == 0.0


def test_one_bad_row_is_an_error() -> None:
    assert judge_any_is_error(0) is None
    assert judge_any_is_error(1) is ERROR


def test_freshness_of_the_month_in_progress() -> None:
    now = datetime(2024, 7, 15, 12, tzinfo=UTC)
    assert judge_freshness(True, now - timedelta(hours=2), now) is None
    assert judge_freshness(True, now - timedelta(hours=2, seconds=1), now) is WARN
    assert judge_freshness(True, None, now) is WARN


def test_settled_months_are_never_stale() -> None:
    now = datetime(2024, 9, 1, tzinfo=UTC)
    assert judge_freshness(False, None, now) is None
    assert judge_freshness(False, now - timedelta(days=30), now) is None
