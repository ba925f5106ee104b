"""`alerts_delivered`: flood_risk's Checks tab warns while alerts wait too long in the outbox."""

from datetime import UTC, datetime

import dagster as dg

from floodingnaque_pipeline.db.alert_outbox import undelivered_summary
from floodingnaque_pipeline.resources.database import DatabaseResource

MAX_UNDELIVERED_MIN = 15  # a few sender ticks plus backoff: beyond it, the webhook is down


@dg.asset_check(
    asset="flood_risk",
    name="alerts_delivered",
    description=(
        f"WARN when an alert (flood transition or failed run) has waited in alert_outbox for "
        f"more than {MAX_UNDELIVERED_MIN} min: the webhook is failing (the error is shown)."
    ),
)
def alerts_delivered(database: DatabaseResource) -> dg.AssetCheckResult:
    with database.session() as session:
        pending = undelivered_summary(session)
    age_min = pending.oldest_age_s(datetime.now(UTC)) / 60
    return dg.AssetCheckResult(
        passed=age_min <= MAX_UNDELIVERED_MIN,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{pending.count} undelivered, oldest {age_min:.1f} min "
            f"(last error: {pending.last_error or 'none'})"
        ),
        metadata={
            "undelivered": dg.MetadataValue.int(pending.count),
            "oldest_age_min": dg.MetadataValue.float(round(age_min, 1)),
        },
    )
