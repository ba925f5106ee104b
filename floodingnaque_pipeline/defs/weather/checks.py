"""weather_data's asset checks: each one can fail, and fails with ERROR where ingestion is broken.
The thresholds and verdicts (and why) live in domain/weather_thresholds.py; this module only
turns them into Dagster check specs and results."""

from datetime import datetime

import dagster as dg

from floodingnaque_pipeline.db.weather_quality import CORE_COLUMNS, WindowQuality
from floodingnaque_pipeline.domain.weather_thresholds import (
    NULL_ERROR_ABOVE,
    RECENT_SPAN,
    Failure,
    judge_any_is_error,
    judge_completeness,
    judge_freshness,
    judge_null_core,
)

__all__ = ["CHECKS", "RECENT_SPAN", "check_results", "completeness_result"]

ASSET = "weather_data"

CHECKS = [
    dg.AssetCheckSpec(
        "values_in_range", asset=ASSET, description="No physically implausible value (ERROR)."
    ),
    dg.AssetCheckSpec(
        "hourly_completeness",
        asset=ASSET,
        description=(
            "Every active location has every hour: any gap WARN; ERROR below 99 % (closed "
            "month), below 99.5 % or any gap in the last 24 h (month in progress)."
        ),
    ),
    dg.AssetCheckSpec(
        "core_values_present",
        asset=ASSET,
        description=(
            f"No NULL {', '.join(CORE_COLUMNS)}: any WARN; more than "
            f"{NULL_ERROR_ABOVE:.1%} of rows ERROR."
        ),
    ),
    dg.AssetCheckSpec(
        "rows_traceable",
        asset=ASSET,
        description="Every row's raw_pull_id names a stored raw pull (ERROR).",
    ),
    dg.AssetCheckSpec(
        "newest_hour_fresh",
        asset=ASSET,
        description="For the current month: the newest hour is at most 2 h old (WARN).",
    ),
]


def _result(name: str, failure: Failure | None, text: str, **metadata: object):
    return dg.AssetCheckResult(
        check_name=name,
        passed=failure is None,
        # A passed check still needs a severity; WARN is what it would have been.
        severity=dg.AssetCheckSeverity(failure.value) if failure else dg.AssetCheckSeverity.WARN,
        description=text,
        metadata=metadata,
    )


def completeness_result(quality: WindowQuality, current: bool) -> dg.AssetCheckResult:
    verdict = judge_completeness(quality.coverage, quality.recent_missing, current)
    text = (
        f"worst location {verdict.worst_slug}: {verdict.worst:.2%} of {quality.expected_hours} "
        f"hours; ERROR below {verdict.error_below:.1%}"
    )
    if current:
        gaps = dict(verdict.recent_gaps) or "none"
        text += f"; hours missing in the last {quality.recent_hours} h: {gaps}"
    return _result(
        "hourly_completeness",
        verdict.failure,
        text,
        worst_location_coverage=round(verdict.worst, 4),
        locations_incomplete=verdict.incomplete,
    )


def check_results(
    quality: WindowQuality, current: bool, now: datetime
) -> list[dg.AssetCheckResult]:
    nulls = judge_null_core(quality.null_core_rows, quality.rows)
    return [
        _result(
            "values_in_range",
            judge_any_is_error(quality.out_of_range),
            f"{quality.out_of_range} of {quality.rows} rows out of range",
            rows_out_of_range=quality.out_of_range,
        ),
        completeness_result(quality, current),
        _result(
            "core_values_present",
            nulls.failure,
            f"{quality.null_core_rows} of {quality.rows} rows ({nulls.share:.2%}) lack "
            f"{' / '.join(CORE_COLUMNS)}; ERROR above {NULL_ERROR_ABOVE:.1%}",
            rows_with_null_core_values=quality.null_core_rows,
            null_share=round(nulls.share, 5),
        ),
        _result(
            "rows_traceable",
            judge_any_is_error(quality.untraceable_rows),
            f"{quality.untraceable_rows} rows name no stored raw pull",
            untraceable_rows=quality.untraceable_rows,
        ),
        _result(
            "newest_hour_fresh",
            judge_freshness(current, quality.newest_hour, now),
            f"newest hour {quality.newest_hour}",
            newest_hour=str(quality.newest_hour),
            applies="current month" if current else "no (historical month)",
        ),
    ]
