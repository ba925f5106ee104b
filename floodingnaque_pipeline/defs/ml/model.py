"""`flood_model`: the impact model's out-of-time protocol; stored always, current only if it passes.

A version that loses is an expected outcome, not a failure: it is stored with its reason, the
`beats_baseline` check WARNs (non-blocking), and flood_risk keeps serving the current version
(or the PAGASA rules alone).
"""

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
from floodingnaque_pipeline.ml.impact_eval import SCORERS
from floodingnaque_pipeline.ml.impact_train import ALGORITHM, PARAMS, SERVING, train_impact
from floodingnaque_pipeline.resources.database import DatabaseResource

BEATS_BASELINE = dg.AssetCheckSpec(
    "beats_baseline",
    asset="flood_model",
    blocking=False,  # losing is expected: WARN, the current version (or the rules) serves
    description=(
        "WARN when the new version is not current: out of time its city-day AP fell below the "
        "best same-information baseline (PAGASA rule on the day's rain, NAIA row D, rows D-1 + "
        "D) beyond the week-bootstrap noise, or its barangay-day AP is under 1.2 x the best "
        "baseline's. The version is stored either way; the current one keeps serving."
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
        "Impact model: P(flood at a barangay on Manila day D | rain of D's window (08:00 D -> "
        "08:00 D+1, PAGASA row D), the 24 h before it, the barangay's shrunk propensity). "
        "Calibrated logistic regression, subset/C/thresholds chosen by day-blocked inner CV on "
        "the training years. Out of time (latest year held out, the reverse direction reported; "
        "or rolling origin) against the PAGASA rule on the day's rain, NAIA row D and rows "
        "D-1 + D, per city-day and barangay-day with week-bootstrap intervals. The served "
        "artifact is a refit on all labelled years, stored in model_versions (skops + sha256)."
    ),
)
def flood_model(
    context: dg.AssetExecutionContext, config: FloodModelConfig, database: DatabaseResource
):
    with database.session() as session:
        frame = read_features(session)
    outcome = train_impact(frame, shuffle_labels=config.shuffle_labels)
    if outcome.served is None:
        raise dg.Failure(f"no model trained: {outcome.not_current_reason}")
    served = outcome.served
    data, sha = artifact.dump(served.model)
    version = new_version(sha)
    beats = outcome.current
    params = PARAMS | {"shuffle_labels": config.shuffle_labels, "folds": outcome.folds,
                       "choice": served.choice, "propensity": served.propensity,
                       RAIN_MAP_KEY: _rain_map(context)}  # fmt: skip
    with database.session() as session:
        row = store_version(
            session, version=version, algorithm=ALGORITHM, params=params,
            features=served.features, train_start=_date(outcome.windows.get("train_start")),
            train_end=_date(outcome.windows.get("train_end")),
            test_start=_date(outcome.windows.get("test_start")),
            test_end=_date(outcome.windows.get("test_end")), evaluation_scheme=outcome.scheme,
            metrics=outcome.metrics | {"reverse_direction": outcome.reverse},
            baseline_metrics=baseline_part(outcome.metrics),
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
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{version} is current"
            if beats
            else f"{version} not current: {outcome.not_current_reason}"
        ),
        metadata={"version": version, "not_current_reason": outcome.not_current_reason or "-"}
        | {f"city_day_ap_{s}": str(city[s]["ap"]) for s in SCORERS if s in city},
    )
