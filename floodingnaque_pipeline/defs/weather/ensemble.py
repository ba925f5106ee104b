"""`open_meteo_ensemble` (hourly, before flood_risk): the Ensemble API response stored verbatim in
raw_weather_pulls and its members in weather_ensemble, in one transaction."""

import dagster as dg

from floodingnaque_pipeline.db.forecast_store import (
    clear_ensemble,
    replace_ensemble,
)
from floodingnaque_pipeline.db.raw_pulls import store_pull
from floodingnaque_pipeline.db.weather import coordinates
from floodingnaque_pipeline.defs.constants import INGESTION, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.weather.config import IngestConfig, utc_now
from floodingnaque_pipeline.defs.weather.partitions import OPEN_METEO_POOL
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource
from floodingnaque_pipeline.sources.http_client import ApiError, StepBudget, mask_params
from floodingnaque_pipeline.sources.masking import masked_url
from floodingnaque_pipeline.sources.open_meteo_runs import (
    ensemble_params,
    parse_ensemble,
)
from floodingnaque_pipeline.sources.records import SourceParseError

ENSEMBLE_SOURCE = "open_meteo_ensemble"
ENSEMBLE_BUDGET_S = 120.0  # the hourly risk waits for this step: a hung API must not hold it


@dg.asset(
    key="open_meteo_ensemble",
    deps=["locations"],
    pool=OPEN_METEO_POOL,
    # After the hour's weather rows in the hourly job (ready steps run by priority): a slow
    # ensemble API (a 120 s budget) delays only flood_risk, never the observed rows.
    op_tags={"dagster/priority": "-1"},
    group_name=INGESTION,
    kinds={"api", DATABASE},
    owners=[OWNER],
    description=(
        "Open-Meteo Ensemble API hourly rain per member (OPEN_METEO_ENSEMBLE_URL, model "
        "`ensemble_model`), 3 days ahead, for every active location: the response in "
        "raw_weather_pulls, the members in weather_ensemble (newest run only). A failed or "
        "malformed pull does not fail the run: it is logged, shown in the metadata "
        "(`ensemble_status`), and weather_ensemble is emptied, so flood_risk falls back to "
        "the deterministic forecast and says so."
    ),
)
def open_meteo_ensemble(
    context: dg.AssetExecutionContext,
    config: IngestConfig,
    database: DatabaseResource,
    open_meteo: OpenMeteoResource,
) -> dg.MaterializeResult:
    issued_at = config.now().replace(minute=0, second=0, microsecond=0)
    with database.session() as session:
        coords = coordinates(session)
    if not coords:
        raise dg.Failure("no active locations: materialize the `locations` asset first")
    params = ensemble_params(coords, open_meteo.ensemble_model)
    client = open_meteo.client
    client.step_budget = StepBudget(ENSEMBLE_BUDGET_S, "ensemble pull, before flood_risk")
    try:
        payload, body = client.get_json_body(open_meteo.ensemble_url, params, cost=len(coords))
        rows = parse_ensemble(payload, coords)
        if not rows:
            raise SourceParseError("the ensemble response holds no member hours (all null)")
    except (ApiError, SourceParseError) as error:
        with database.session() as session:
            cleared = clear_ensemble(session)
        context.log.warning(
            f"ensemble pull failed, flood_risk uses the deterministic forecast: {error}"
        )
        return dg.MaterializeResult(
            metadata={
                "ensemble_status": dg.MetadataValue.text(f"failed: {error}"),
                "rows": dg.MetadataValue.int(0),
                "cleared_rows": dg.MetadataValue.int(cleared),
            }
        )
    finally:
        client.step_budget = None
    with database.session() as session:  # raw and normalised rows in one transaction
        pull_id = store_pull(
            session,
            source=ENSEMBLE_SOURCE,
            endpoint=masked_url(open_meteo.ensemble_url, {}),
            masked_params=mask_params(params),
            location_ids=[c.location_id for c in coords],
            window_start=min(r.valid_at for r in rows),
            window_end=max(r.valid_at for r in rows),
            fetched_at=utc_now(),
            payload=payload,
            payload_bytes=len(body),
            run_id=context.run.run_id,
            body=body.decode(),
        )
        count = replace_ensemble(session, rows, issued_at, pull_id)
    members = len({r.member for r in rows})
    context.log.info(f"ensemble: {members} members, {count:,} location-member-hours")
    return dg.MaterializeResult(
        metadata={
            "ensemble_status": dg.MetadataValue.text("ok"),
            "rows": dg.MetadataValue.int(count),
            "members": dg.MetadataValue.int(members),
            "model": dg.MetadataValue.text(open_meteo.ensemble_model),
            "issued_at": dg.MetadataValue.text(issued_at.isoformat()),
        }
    )
