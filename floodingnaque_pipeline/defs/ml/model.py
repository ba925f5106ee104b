"""`flood_model`: the out-of-time protocol against two baselines; stored, current only if better."""

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.db.features import read_features
from floodingnaque_pipeline.db.model_registry import (
    current_version,
    new_version,
    promote,
    store_version,
)
from floodingnaque_pipeline.defs.constants import ML, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.ml.automation import after_features
from floodingnaque_pipeline.defs.ml.features import RAIN_MAP_KEY
from floodingnaque_pipeline.defs.ml.model_metadata import (
    baseline_part,
    model_metadata,
    served_part,
)
from floodingnaque_pipeline.ml import artifact
from floodingnaque_pipeline.ml.train import ALGORITHM, PARAMS, SERVING, train
from floodingnaque_pipeline.resources.database import DatabaseResource

BEATS_BASELINE = dg.AssetCheckSpec(
    "beats_baseline",
    asset="flood_model",
    blocking=True,  # a failed check stops flood_risk in the same run
    description=(
        "The new version is made current only when, out of time, it beats BOTH the PAGASA rule "
        "and 2-day rain on city-day AP and loses to neither on location-day AP; otherwise it "
        "is stored, not used."
    ),
)


class FloodModelConfig(dg.Config):
    shuffle_labels: bool = Field(
        default=False,
        description="Negative control: train on day-shuffled labels. Must never become current.",
    )


def _date(value):
    return None if value is None else value.date()


def _rain_map(context: dg.AssetExecutionContext) -> dict:
    """The quantile map flood_features built these rows with: it must serve with the model."""
    event = context.instance.get_latest_materialization_event(dg.AssetKey("flood_features"))
    materialization = event.asset_materialization if event else None
    value = materialization.metadata.get(RAIN_MAP_KEY) if materialization else None
    return dict(value.value) if value is not None else {}


@dg.asset(
    key="flood_model",
    deps=["flood_features"],
    check_specs=[BEATS_BASELINE],
    automation_condition=after_features,
    group_name=ML,
    kinds={"sklearn", DATABASE},
    owners=[OWNER],
    description=(
        "Calibrated logistic regression on flood_features' labelled days (features known at "
        "08:00 Manila on the day). Out of time: the latest labelled year held out, or rolling "
        "origin; features, C, calibration and thresholds chosen by day-blocked inner CV on the "
        "training years only. Compared per city-day and location-day with the PAGASA rule and "
        "2-day rain on the same days; the served artifact is a refit on all labelled years by "
        "the same procedure, stored in model_versions (skops bytes + sha256)."
    ),
)
def flood_model(
    context: dg.AssetExecutionContext, config: FloodModelConfig, database: DatabaseResource
):
    with database.session() as session:
        frame = read_features(session)
    outcome = train(frame, shuffle_labels=config.shuffle_labels)
    if outcome.served is None:
        raise dg.Failure(f"no model trained: {outcome.not_current_reason}")
    served = outcome.served
    data, sha = artifact.dump(served.model)
    version = new_version(sha)
    beats = outcome.current
    params = PARAMS | {"shuffle_labels": config.shuffle_labels, "folds": outcome.folds,
                       "choice": served.choice, "location_rates": served.rates,
                       RAIN_MAP_KEY: _rain_map(context)}  # fmt: skip
    with database.session() as session:
        row = store_version(
            session, version=version, algorithm=ALGORITHM, params=params,
            features=served.features, train_start=_date(outcome.windows.get("train_start")),
            train_end=_date(outcome.windows.get("train_end")),
            test_start=_date(outcome.windows.get("test_start")),
            test_end=_date(outcome.windows.get("test_end")), evaluation_scheme=outcome.scheme,
            metrics=outcome.metrics, baseline_metrics=baseline_part(outcome.metrics),
            thresholds=served.thresholds, serving_mode=SERVING, served_metrics=served_part(served),
            artifact=data, artifact_sha256=sha, not_current_reason=outcome.not_current_reason,
            run_id=context.run.run_id,
        )  # fmt: skip
        if beats:
            promote(session, row.id)
        serving = current_version(session)
    serving_version = serving.version if serving else None
    context.log.info(f"model {version}: scheme {outcome.scheme}, current={beats}")
    yield dg.MaterializeResult(metadata=model_metadata(outcome, version, serving_version))
    city = outcome.metrics.get("city_day", {})
    yield dg.AssetCheckResult(
        check_name="beats_baseline",
        passed=beats,
        description=(
            f"{version} is current"
            if beats
            else f"{version} not current: {outcome.not_current_reason}"
        ),
        metadata={"version": version, "not_current_reason": outcome.not_current_reason or "-"}
        | {f"city_day_ap_{k}": str(v.get("ap")) for k, v in city.items()},
    )
