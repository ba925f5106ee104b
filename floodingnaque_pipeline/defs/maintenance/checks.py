"""`slow_queries`: the app database's slowest statements, warned about above a threshold."""

import os

import dagster as dg

from floodingnaque_pipeline.db.slow_queries import markdown, slowest_statements
from floodingnaque_pipeline.resources.database import DatabaseResource

DEFAULT_SLOW_QUERY_MS = 500.0  # one statement's mean; the dashboard reads answer in < 50 ms


def slow_query_threshold_ms() -> float:
    return float(os.environ.get("FLOODINGNAQUE_SLOW_QUERY_MS") or DEFAULT_SLOW_QUERY_MS)


@dg.asset_check(
    asset="weather_data",
    name="slow_queries",
    description=(
        "Slowest statements of the app database (pg_stat_statements); warns when one's mean "
        "time exceeds FLOODINGNAQUE_SLOW_QUERY_MS (default 500 ms)."
    ),
)
def slow_queries(database: DatabaseResource) -> dg.AssetCheckResult:
    with database.engine.connect() as connection:
        found = slowest_statements(connection)
    threshold = slow_query_threshold_ms()
    slow = [s for s in found.statements if s.mean_ms > threshold]
    metadata = {
        "threshold_ms": dg.MetadataValue.float(threshold),
        "slowest": dg.MetadataValue.md(markdown(found.statements) if found.statements else "—"),
    }
    if found.unavailable:
        metadata["unavailable"] = dg.MetadataValue.text(found.unavailable)
    return dg.AssetCheckResult(
        passed=not slow,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            found.unavailable or f"{len(slow)} statements slower than {threshold:.0f} ms on average"
        ),
        metadata=metadata,
    )
