"""`flood_risk`: Safe / Alert / Critical per active location for today and tomorrow (Manila).

Re-issued every hour: each run reads the observed hours of every day's window so far and the
latest forecast (ensemble members when their pull succeeded) for the rest.
"""

from datetime import datetime

import dagster as dg
import pandas as pd

from floodingnaque_pipeline.db.forecast_inputs import ensemble_rain_frame
from floodingnaque_pipeline.db.ml_inputs import (
    forecast_frame,
    forecast_issued_at,
    hourly_frame,
    locations_frame,
    station_frame,
)
from floodingnaque_pipeline.db.model_registry import current_version
from floodingnaque_pipeline.db.predictions import store_issue_with_alerts
from floodingnaque_pipeline.defs.constants import ML, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.ml.risk_publish import bulletin_path, publish, read_issue, summary
from floodingnaque_pipeline.defs.ml.risk_rows import risk_rows, risk_table
from floodingnaque_pipeline.defs.weather.config import IngestConfig
from floodingnaque_pipeline.ml.alerts import alert_payload
from floodingnaque_pipeline.ml.plots import png_markdown
from floodingnaque_pipeline.ml.predict import decide_days
from floodingnaque_pipeline.ml.risk import ALERT, NO_MODEL
from floodingnaque_pipeline.ml.risk_days import plan_risk_window
from floodingnaque_pipeline.ml.served import load_served, unservable
from floodingnaque_pipeline.ml.stations import location_sites, station_sites
from floodingnaque_pipeline.resources.database import DatabaseResource


class RiskConfig(IngestConfig):
    """flood_risk's run config: the same `as_of` as the ingestion assets (replay an hour)."""


def _ensemble(session, start: datetime, end: datetime) -> tuple[pd.DataFrame | None, str]:
    """The latest ensemble run's members, or None and why (the deterministic forecast serves)."""
    frame = ensemble_rain_frame(session, start, end)
    frame = frame[frame["valid_at"] > start]  # the hour ending `now` is observed, not forecast
    if frame.empty:
        return None, "no ensemble run stored for these hours (or its last pull failed)"
    return frame.rename(columns={"valid_at": "observed_at"}), "ok"


@dg.asset(
    key="flood_risk",
    deps=["weather_data", "weather_forecast", "open_meteo_ensemble", "flood_model"],
    group_name=ML,
    kinds={"sklearn", DATABASE},
    owners=[OWNER],
    description=(
        "Flood risk per active location for today and tomorrow (Manila), re-issued hourly: "
        "the current impact model's probability on each day's window rain (08:00 D -> 08:00 "
        "D+1) = observed hours so far + the latest forecast for the rest (mean over ensemble "
        "members when available, with p10/p90; else the deterministic forecast, said in the "
        "row), mapped with its thresholds, raised by PAGASA hourly rules (Yellow/Orange -> "
        "Alert, Red -> Critical). Each row keeps the observed share, the forecast's issue time "
        "and its inputs. No current model: the rules alone. issued_at = the hour."
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
        issued = forecast_issued_at(session, now, window.end)
        members, ensemble_note = _ensemble(session, now, window.end)
        observations = station_frame(session)
        stored = current_version(session)
    refused = unservable(stored) if stored else None
    current = load_served(stored) if stored and not refused else None
    if members is not None:
        issued = members["issued_at"].max()
    observations = observations[observations["observed_on"] >= window.start.date()]
    decisions = decide_days(
        observed, forecast, observations, location_sites(locations), station_sites(),
        window.days, current, members, no_model_reason=refused or NO_MODEL,
    )  # fmt: skip
    if members is None:
        context.log.info(f"ensemble not used ({ensemble_note}): deterministic forecast")
    rows = risk_rows(decisions, window, current, issued, context.run.run_id)
    serving = f"model {current.version}" if current else "PAGASA rules"
    newest = observed["observed_at"].max() if not observed.empty else None
    with database.session() as session:
        issue = read_issue(session, decisions, locations, window.issued_at, serving,
                           None if pd.isna(newest) else newest, issued)  # fmt: skip
        path = bulletin_path(issue).resolve()
        message = {"summary": summary(issue), "bulletin": str(path)}
        # Alerts for locations entering Alert/Critical are queued in the same transaction.
        counts, enqueued = store_issue_with_alerts(
            session, rows, lambda state: alert_payload(state) | message, ALERT
        )
    path, png, files = publish(issue)
    levels = [d.level for d in decisions.values()]
    verdict = (
        f"Serving model {current.version}: the current version, it passed the currency rule."
        if current
        else f"PAGASA rules alone: {refused or NO_MODEL}"
    )
    return dg.MaterializeResult(
        metadata={
            # First, so the UI's metadata table opens with who decided this issue and why.
            "verdict": dg.MetadataValue.text(verdict),
            "summary": dg.MetadataValue.text(message["summary"]),
            "bulletin": dg.MetadataValue.path(str(path)),
            "map": dg.MetadataValue.md(png_markdown(png, "risk map, today and tomorrow")),
            "files": dg.MetadataValue.json([str(f) for f in files]),
            "issued_at": dg.MetadataValue.text(window.issued_at.isoformat()),
            "model_version": dg.MetadataValue.text(current.version if current else "none (rules)"),
            "forecast_issued_at": dg.MetadataValue.text(str(issued) if issued else "none"),
            "ensemble": dg.MetadataValue.text(ensemble_note),
            "rows": dg.MetadataValue.int(len(rows)),
            "inserted": dg.MetadataValue.int(counts.inserted),
            "alerts_enqueued": dg.MetadataValue.int(enqueued),
            "critical": dg.MetadataValue.int(levels.count(2)),
            "alert": dg.MetadataValue.int(levels.count(1)),
            "risk": dg.MetadataValue.md(risk_table(decisions, locations, window.days)),
        }
    )
