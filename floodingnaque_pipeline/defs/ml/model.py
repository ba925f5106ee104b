"""`flood_model`: out-of-time training against the PAGASA rule; stored, current only if better."""

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.db.features import read_features
from floodingnaque_pipeline.db.model_registry import new_version, promote, store_version
from floodingnaque_pipeline.defs.constants import ML, OWNER
from floodingnaque_pipeline.defs.ml.automation import after_features
from floodingnaque_pipeline.defs.ml.model_metadata import model_metadata
from floodingnaque_pipeline.ml import artifact
from floodingnaque_pipeline.ml.train import ALGORITHM, PARAMS, train
from floodingnaque_pipeline.resources.database import DatabaseResource

BEATS_BASELINE = dg.AssetCheckSpec(
    "beats_baseline",
    asset="flood_model",
    blocking=True,  # a failed check stops flood_risk in the same run
    description=(
        "The new version is made current only when its out-of-time PR-AUC beats the "
        "PAGASA-rule baseline on the same test days; otherwise it is stored, not used."
    ),
)


class FloodModelConfig(dg.Config):
    shuffle_labels: bool = Field(
        default=False,
        description="Negative control: train on scrambled labels. Must never become current.",
    )


def _date(value):
    return None if value is None else value.date()


@dg.asset(
    key="flood_model",
    deps=["flood_features"],
    check_specs=[BEATS_BASELINE],
    automation_condition=after_features,
    group_name=ML,
    kinds={"sklearn", "postgres"},
    owners=[OWNER],
    description=(
        "Calibrated logistic regression (balanced class weights) on flood_features' labelled "
        "days. Out-of-time: latest labelled year held out (rolling origin when it has < 5 flood "
        "days); metrics next to the PAGASA rule on the same days; then refit on all labelled "
        "days and stored in model_versions (skops bytes + sha256)."
    ),
)
def flood_model(
    context: dg.AssetExecutionContext, config: FloodModelConfig, database: DatabaseResource
):
    with database.session() as session:
        frame = read_features(session)
    outcome = train(frame, shuffle_labels=config.shuffle_labels)
    if outcome.model is None:
        raise dg.Failure(f"no model trained: {outcome.not_current_reason}")
    data, sha = artifact.dump(outcome.model)
    version = new_version(sha)
    beats = outcome.not_current_reason is None
    params = PARAMS | {"shuffle_labels": config.shuffle_labels, "folds": outcome.folds}
    with database.session() as session:
        row = store_version(
            session, version=version, algorithm=ALGORITHM, params=params,
            features=outcome.features, train_start=_date(outcome.windows.get("train_start")),
            train_end=_date(outcome.windows.get("train_end")),
            test_start=_date(outcome.windows.get("test_start")),
            test_end=_date(outcome.windows.get("test_end")), evaluation_scheme=outcome.scheme,
            metrics=outcome.metrics | {"importances": outcome.importances},
            baseline_metrics=outcome.baseline_metrics, thresholds=outcome.thresholds,
            artifact=data, artifact_sha256=sha, not_current_reason=outcome.not_current_reason,
            run_id=context.run.run_id,
        )  # fmt: skip
        if beats:
            promote(session, row.id)
    context.log.info(f"model {version}: scheme {outcome.scheme}, current={beats}")
    yield dg.MaterializeResult(metadata=model_metadata(outcome, version, beats))
    yield dg.AssetCheckResult(
        check_name="beats_baseline",
        passed=beats,
        description=(
            f"{version} is current"
            if beats
            else f"{version} not current: {outcome.not_current_reason}"
        ),
        metadata={
            "version": version,
            "model_pr_auc": str(outcome.metrics.get("pr_auc")),
            "baseline_pr_auc": str(outcome.baseline_metrics.get("pr_auc")),
            "not_current_reason": outcome.not_current_reason or "-",
        },
    )
