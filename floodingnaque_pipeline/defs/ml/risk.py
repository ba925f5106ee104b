"""`flood_risk`: Safe / Alert / Critical per active location for today and tomorrow (Manila)."""

import dagster as dg

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
from floodingnaque_pipeline.defs.weather.config import IngestConfig
from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.ml.alerts import alert_payload
from floodingnaque_pipeline.ml.predict import combine_hours, decide_days
from floodingnaque_pipeline.ml.risk import ALERT, LEVEL_NAMES
from floodingnaque_pipeline.ml.risk_days import plan_risk_window
from floodingnaque_pipeline.ml.served import load_served
from floodingnaque_pipeline.ml.stations import location_sites, station_sites
from floodingnaque_pipeline.resources.database import DatabaseResource


class RiskConfig(IngestConfig):
    """flood_risk's run config: the same `as_of` as the ingestion assets (replay an hour)."""


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
    window = plan_risk_window(now)
    with database.session() as session:
        locations = locations_frame(session)
        observed = hourly_frame(session, window.start, now)
        forecast = forecast_frame(session, now, window.end)
        observations = station_frame(session)
        stored = current_version(session)
    current = load_served(stored) if stored else None
    observations = observations[observations["observed_on"] >= window.start.date()]
    decisions = decide_days(
        combine_hours(observed, forecast), observations, location_sites(locations),
        station_sites(), window.days, current,
    )  # fmt: skip
    model_id = current.id if current else None
    rows = [
        (loc, day, window.issued_at, window.lead_days(day), d.probability, d.level, d.reasons,
         model_id, context.run.run_id)
        for (loc, day), d in decisions.items()
    ]  # fmt: skip
    with database.session() as session:
        # Alerts for locations entering Alert/Critical are queued in the same transaction.
        counts, enqueued = store_issue_with_alerts(session, rows, alert_payload, ALERT)
    names = dict(zip(locations["id"], locations["name"], strict=True))
    table = markdown_table(
        ["location", *map(str, window.days)],
        [
            [names[loc], *(LEVEL_NAMES[decisions[(int(loc), d)].level] for d in window.days)]
            for loc in locations["id"]
        ],
    )
    levels = [d.level for d in decisions.values()]
    return dg.MaterializeResult(
        metadata={
            "issued_at": dg.MetadataValue.text(window.issued_at.isoformat()),
            "model_version": dg.MetadataValue.text(current.version if current else "none (rules)"),
            "rows": dg.MetadataValue.int(len(rows)),
            "inserted": dg.MetadataValue.int(counts.inserted),
            "alerts_enqueued": dg.MetadataValue.int(enqueued),
            "critical": dg.MetadataValue.int(levels.count(2)),
            "alert": dg.MetadataValue.int(levels.count(1)),
            "risk": dg.MetadataValue.md(table),
        }
    )
