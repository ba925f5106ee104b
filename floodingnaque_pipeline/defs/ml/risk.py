"""`flood_risk`: Safe / Alert / Critical per active location for today and tomorrow (Manila)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.db.ml_inputs import (
    forecast_frame,
    hourly_frame,
    locations_frame,
    station_frame,
)
from floodingnaque_pipeline.db.model_registry import current_version
from floodingnaque_pipeline.db.predictions import store_issue_with_alerts
from floodingnaque_pipeline.defs.constants import ML, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.ml.alerts import alert_payload
from floodingnaque_pipeline.ml.predict import combine_hours, decide_days
from floodingnaque_pipeline.ml.risk import ALERT, LEVEL_NAMES
from floodingnaque_pipeline.ml.served import load_served
from floodingnaque_pipeline.ml.stations import location_sites, station_sites
from floodingnaque_pipeline.resources.database import DatabaseResource

MANILA = ZoneInfo("Asia/Manila")
HISTORY_DAYS = 9  # the 7-day sum and the API of today need the week before it


class RiskConfig(dg.Config):
    as_of: str | None = Field(
        default=None, description="ISO timestamp with offset to treat as 'now'; default: now."
    )

    def now(self) -> datetime:
        if not self.as_of:
            return datetime.now(UTC)
        moment = datetime.fromisoformat(self.as_of)
        if moment.tzinfo is None:
            raise ValueError(f"as_of {self.as_of!r} needs a UTC offset, e.g. +08:00")
        return moment.astimezone(UTC)


@dg.asset(
    key="flood_risk",
    deps=["weather_data", "weather_forecast", "flood_model"],
    group_name=ML,
    kinds={"sklearn", DATABASE},
    owners=[OWNER],
    description=(
        "Flood risk per active location for today and tomorrow (Manila): the current model's "
        "probability on features from observed weather_data plus weather_forecast rain, mapped "
        "with its thresholds (chosen on training years), raised by PAGASA rainfall rules "
        "(Yellow/Orange -> Alert, "
        "Red -> Critical). No current model: the rules alone. issued_at = the hour (re-runs "
        "within an hour replace that hour's rows)."
    ),
)
def flood_risk(
    context: dg.AssetExecutionContext, config: RiskConfig, database: DatabaseResource
) -> dg.MaterializeResult:
    now = config.now()
    issued_at = now.replace(minute=0, second=0, microsecond=0)
    today = now.astimezone(MANILA).date()
    days = [today, today + timedelta(days=1)]
    start = datetime.combine(today - timedelta(days=HISTORY_DAYS), datetime.min.time(), MANILA)
    end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), MANILA)
    with database.session() as session:
        locations = locations_frame(session)
        observed = hourly_frame(session, start, now)
        forecast = forecast_frame(session, now, end)
        observations = station_frame(session)
        stored = current_version(session)
    current = load_served(stored) if stored else None
    observations = observations[observations["observed_on"] >= start.date()]
    decisions = decide_days(
        combine_hours(observed, forecast), observations, location_sites(locations),
        station_sites(), days, current,
    )  # fmt: skip
    model_id = current.id if current else None
    rows = [
        (loc, day, issued_at, (day - today).days, d.probability, d.level, d.reasons, model_id,
         context.run.run_id)
        for (loc, day), d in decisions.items()
    ]  # fmt: skip
    with database.session() as session:
        # Alerts for locations entering Alert/Critical are queued in the same transaction.
        counts, enqueued = store_issue_with_alerts(session, rows, alert_payload, ALERT)
    names = dict(zip(locations["id"], locations["name"], strict=True))
    table = ["| location | " + " | ".join(map(str, days)) + " |", "|---|---|---|"]
    for loc in locations["id"]:
        cells = [LEVEL_NAMES[decisions[(int(loc), d)].level] for d in days]
        table.append(f"| {names[loc]} | " + " | ".join(cells) + " |")
    levels = [d.level for d in decisions.values()]
    return dg.MaterializeResult(
        metadata={
            "issued_at": dg.MetadataValue.text(issued_at.isoformat()),
            "model_version": dg.MetadataValue.text(current.version if current else "none (rules)"),
            "rows": dg.MetadataValue.int(len(rows)),
            "inserted": dg.MetadataValue.int(counts.inserted),
            "alerts_enqueued": dg.MetadataValue.int(enqueued),
            "critical": dg.MetadataValue.int(levels.count(2)),
            "alert": dg.MetadataValue.int(levels.count(1)),
            "risk": dg.MetadataValue.md("\n".join(table)),
        }
    )
