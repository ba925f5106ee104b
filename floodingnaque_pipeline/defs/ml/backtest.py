"""`flood_forecast_backtest`: the risk replayed from archived forecasts, beside observed rain."""

from datetime import datetime

import dagster as dg
import pandas as pd

from floodingnaque_pipeline.db.features import read_features
from floodingnaque_pipeline.db.forecast_inputs import archived_forecast_frame
from floodingnaque_pipeline.db.ml_inputs import hourly_frame, locations_frame, station_frame
from floodingnaque_pipeline.defs.constants import ML, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.ml.backtest import fold_models, replay
from floodingnaque_pipeline.ml.impact_report import impact_table
from floodingnaque_pipeline.ml.impact_train import labelled_impact
from floodingnaque_pipeline.ml.stations import location_sites, station_daily, station_sites
from floodingnaque_pipeline.resources.database import DatabaseResource


def _archived(session, start: datetime, end: datetime) -> tuple[pd.DataFrame | None, str]:
    frame = archived_forecast_frame(session, start, end)
    return (frame, "ok") if not frame.empty else (None, "no archived forecasts stored")


@dg.asset(
    key="flood_forecast_backtest",
    deps=["flood_features", "weather_data", "station_observations", "archived_forecast_raw"],
    group_name=ML,
    kinds={"sklearn", DATABASE},
    owners=[OWNER],
    description=(
        "Replays what flood_risk would have said at 08:00 on D and at 20:00 on D-1 over the "
        "labelled days, from the forecasts as they were issued (archived runs; the newest run "
        "issued by then fills every later hour of the window), with leave-one-year-out impact "
        "models and the same-information baselines fed the same forecast rain; the "
        "observed-rain evaluation of the same days is reported beside it. Run by hand."
    ),
)
def flood_forecast_backtest(
    context: dg.AssetExecutionContext, database: DatabaseResource
) -> dg.MaterializeResult:
    with database.session() as session:
        features = read_features(session)
        labelled = labelled_impact(features)
        if labelled.empty:
            raise dg.Failure("no labelled days: materialize flood_features first")
        start = pd.Timestamp(labelled["day"].min(), tz="UTC") - pd.Timedelta(days=2)
        end = pd.Timestamp(labelled["day"].max(), tz="UTC") + pd.Timedelta(days=2)
        archived, note = _archived(session, start.to_pydatetime(), end.to_pydatetime())
        observed = hourly_frame(session, start.to_pydatetime(), end.to_pydatetime())
        gauge = station_daily(
            station_frame(session), location_sites(locations_frame(session)), station_sites()
        )
    meta: dict[str, dg.MetadataValue] = {"archive": dg.MetadataValue.text(note)}
    if archived is None:
        context.log.warning(f"backtest not run: {note}")
        return dg.MaterializeResult(metadata=meta)
    results = replay(labelled, observed, archived, gauge, fold_models(labelled))
    for name, part in results.items():
        key = name.replace(":", "").replace(" ", "_")
        meta[f"{key}_days"] = dg.MetadataValue.int(part["days"])
        meta[f"{key}_skipped_days"] = dg.MetadataValue.int(part["skipped_days"])
        if part["days"]:
            meta[key] = dg.MetadataValue.md(
                impact_table(part["forecast_rain"], f"issued {name}, forecast rain")
                + "\n\n"
                + impact_table(part["observed_rain"], "same days, observed rain")
            )
    return dg.MaterializeResult(metadata=meta)
