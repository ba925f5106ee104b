"""flood_model metadata: which version serves and why, the metrics tables, curves, choices."""

import dagster as dg

from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.ml import evaluate as ev
from floodingnaque_pipeline.ml.impact import ImpactModel
from floodingnaque_pipeline.ml.impact_eval import BASELINES, NAMES, SCORERS
from floodingnaque_pipeline.ml.impact_report import impact_table
from floodingnaque_pipeline.ml.impact_train import SERVING, ImpactOutcome
from floodingnaque_pipeline.ml.plots import pr_curve_md

SERVING_TEXT = (
    f"{SERVING}: the stored artifact is a refit on every labelled year by the same inner "
    "procedure (propensities, features, C, calibration and thresholds re-chosen on those "
    "years). The out-of-time table describes that procedure's fold models, trained without "
    "their test year; `served_metrics` holds the artifact's own out-of-fold numbers."
)


def baseline_part(metrics: dict) -> dict:
    """The same-information baselines' numbers, for model_versions.baseline_metrics."""
    if not metrics:
        return {}
    return {s: {level: metrics[level][s] for level in ("city_day", "barangay_day")}
            for s in BASELINES}  # fmt: skip


def served_part(served: ImpactModel) -> dict:
    return {"describes": "the served artifact, out-of-fold on its own training years"} | (
        served.inner | {"choice": served.choice, "thresholds": served.thresholds}
    )


def _why(outcome: ImpactOutcome, version: str, serving: str | None) -> str:
    if outcome.current:
        return f"{version} serves: out of time it passes the currency rule (table below)."
    still = f"{serving} keeps serving" if serving else "no model serves (PAGASA rules alone)"
    return f"{version} is stored, not served: {outcome.not_current_reason}. {still}."


def model_metadata(
    outcome: ImpactOutcome, version: str, serving: str | None
) -> dict[str, dg.MetadataValue]:
    served, metrics = outcome.served, outcome.metrics
    meta: dict[str, dg.MetadataValue] = {
        # First, so the UI's metadata table opens with which version serves and why.
        "verdict": dg.MetadataValue.text(_why(outcome, version, serving)),
        "version": dg.MetadataValue.text(version),
        "is_current": dg.MetadataValue.bool(outcome.current),
        "serving_version": dg.MetadataValue.text(serving or "none (PAGASA rules alone)"),
        "not_current_reason": dg.MetadataValue.text(outcome.not_current_reason or "-"),
        "serving": dg.MetadataValue.text(SERVING_TEXT),
        "evaluation_scheme": dg.MetadataValue.text(outcome.scheme),
        "folds": dg.MetadataValue.text(outcome.folds or "-"),
        "test_positive_days": dg.MetadataValue.int(metrics.get("positive_days", 0)),
        "metrics": dg.MetadataValue.md(
            impact_table(metrics, outcome.folds)
            if metrics
            else f"No out-of-time evaluation: {outcome.not_current_reason}."
        ),
        "features": dg.MetadataValue.text(", ".join(served.features) if served else "-"),
    }
    if outcome.reverse.get("city_day"):
        meta["reverse_direction"] = dg.MetadataValue.md(
            impact_table(outcome.reverse, outcome.reverse["direction"])
            + f"\n\nVerdict in this direction: {outcome.reverse['verdict']}"
        )
    if served is not None:
        header = ["features", "C", "inner city-day AP", "inner barangay-day AP"]
        choices = [[c["features"], c["C"], c["city_day_ap"], c["location_day_ap"]]
                   for c in served.inner["candidates"]]  # fmt: skip
        meta["choices"] = dg.MetadataValue.md(markdown_table(header, choices, width=500))
        meta["thresholds"] = dg.MetadataValue.json(served.thresholds)
    if metrics.get("city_day", {}).get("model", {}).get("ap") is not None:
        city = ev.city_days(outcome.test, list(SCORERS))
        y = city["label"].to_numpy(int)
        scores = {NAMES[s]: city[s].to_numpy(float) for s in SCORERS}
        meta["pr_curve"] = dg.MetadataValue.md(
            pr_curve_md(y, scores, "Test city-days: precision-recall")
        )
        for scorer in SCORERS:
            meta[f"city_day_ap_{scorer}"] = dg.MetadataValue.float(
                metrics["city_day"][scorer]["ap"]
            )
    return meta
