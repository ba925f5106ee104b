"""weather_data's asset checks: each one can fail, and fails with ERROR where ingestion is broken.

Thresholds (why):
- hourly_completeness: every active location should have every hour. Any gap -> WARN. A closed
  month below 99 % for some location (> ~7 missing hours) -> ERROR: the archive is complete, so
  that is broken ingestion. The month in progress is held higher: below 99.5 %, or any hour
  missing in the last 24 h (what flood_risk reads right now) -> ERROR.
- core_values_present: NULL rain, temperature or humidity is a hole in a model input. Any ->
  WARN; more than 0.1 % of the window's rows (~12 rows of a 16-location month) -> ERROR.
- values_in_range: physically implausible values (a unit or parser bug) -> ERROR.
- rows_traceable: every row's raw_pull_id names a stored raw pull (not a foreign key, so this
  check is what keeps "every number traceable") -> ERROR.
- newest_hour_fresh: the month in progress has an hour at most 2 h old -> WARN.
"""

from datetime import datetime, timedelta

import dagster as dg

from floodingnaque_pipeline.db.weather_quality import CORE_COLUMNS, WindowQuality

ASSET = "weather_data"
HISTORY_ERROR_BELOW = 0.99
CURRENT_ERROR_BELOW = 0.995
RECENT_SPAN = timedelta(hours=24)
NULL_ERROR_ABOVE = 0.001
FRESHNESS_WARN_AFTER = timedelta(hours=2)

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

WARN, ERROR = dg.AssetCheckSeverity.WARN, dg.AssetCheckSeverity.ERROR


def _result(name: str, failure: dg.AssetCheckSeverity | None, text: str, **metadata: object):
    return dg.AssetCheckResult(
        check_name=name,
        passed=failure is None,
        severity=failure or WARN,
        description=text,
        metadata=metadata,
    )


def completeness_result(quality: WindowQuality, current: bool) -> dg.AssetCheckResult:
    worst_slug, worst = min(quality.coverage.items(), key=lambda kv: kv[1], default=("-", 1.0))
    recent_gaps = {slug: n for slug, n in quality.recent_missing.items() if n > 0}
    error_below = CURRENT_ERROR_BELOW if current else HISTORY_ERROR_BELOW
    failure = None
    if worst < 1.0:
        failure = ERROR if worst < error_below or recent_gaps else WARN
    text = (
        f"worst location {worst_slug}: {worst:.2%} of {quality.expected_hours} hours; "
        f"ERROR below {error_below:.1%}"
    )
    if current:
        text += f"; hours missing in the last {quality.recent_hours} h: {recent_gaps or 'none'}"
    return _result(
        "hourly_completeness",
        failure,
        text,
        worst_location_coverage=round(worst, 4),
        locations_incomplete=sum(share < 1.0 for share in quality.coverage.values()),
    )


def check_results(
    quality: WindowQuality, current: bool, now: datetime
) -> list[dg.AssetCheckResult]:
    null_share = quality.null_core_rows / quality.rows if quality.rows else 0.0
    null_failure = None
    if quality.null_core_rows:
        null_failure = ERROR if null_share > NULL_ERROR_ABOVE else WARN
    stale = current and (
        quality.newest_hour is None or now - quality.newest_hour > FRESHNESS_WARN_AFTER
    )
    return [
        _result(
            "values_in_range",
            ERROR if quality.out_of_range else None,
            f"{quality.out_of_range} of {quality.rows} rows out of range",
            rows_out_of_range=quality.out_of_range,
        ),
        completeness_result(quality, current),
        _result(
            "core_values_present",
            null_failure,
            f"{quality.null_core_rows} of {quality.rows} rows ({null_share:.2%}) lack "
            f"{' / '.join(CORE_COLUMNS)}; ERROR above {NULL_ERROR_ABOVE:.1%}",
            rows_with_null_core_values=quality.null_core_rows,
            null_share=round(null_share, 5),
        ),
        _result(
            "rows_traceable",
            ERROR if quality.untraceable_rows else None,
            f"{quality.untraceable_rows} rows name no stored raw pull",
            untraceable_rows=quality.untraceable_rows,
        ),
        _result(
            "newest_hour_fresh",
            WARN if stale else None,
            f"newest hour {quality.newest_hour}",
            newest_hour=str(quality.newest_hour),
            applies="current month" if current else "no (historical month)",
        ),
    ]
