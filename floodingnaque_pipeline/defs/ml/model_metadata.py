"""flood_model metadata: which version serves and why, the metrics table, curves, choices."""

import dagster as dg

from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.ml import evaluate as ev
from floodingnaque_pipeline.ml.inner import Fitted
from floodingnaque_pipeline.ml.plots import pr_curve_md, reliability_md
from floodingnaque_pipeline.ml.report import NAMES, city_scores, table
from floodingnaque_pipeline.ml.train import SERVING, Outcome

SERVING_TEXT = (
    f"{SERVING}: the stored artifact is a refit on every labelled year by the same inner "
    "procedure (features, C, calibration and thresholds re-chosen on those years). The "
    "out-of-time table describes that procedure's fold models, trained without their test year; "
    "`served_metrics` holds the artifact's own out-of-fold numbers."
)


def baseline_part(metrics: dict) -> dict:
    """The rule's and 2-day rain's numbers, for model_versions.baseline_metrics."""
    if not metrics:
        return {}
    return {
        scorer: {level: metrics[level][scorer] for level in ("city_day", "location_day")}
        for scorer in ("rule", "rain_2d")
    } | {"rule_fires": metrics["rule_fires"]}


def served_part(served: Fitted) -> dict:
    return {"describes": "the served artifact, out-of-fold on its own training years"} | (
        served.inner | {"choice": served.choice, "thresholds": served.thresholds}
    )


def _why(outcome: Outcome, version: str, serving: str | None) -> str:
    if outcome.current:
        return f"{version} serves: out of time it beats both baselines (table below)."
    still = f"{serving} keeps serving" if serving else "no model serves (PAGASA rules alone)"
    return f"{version} is stored, not served: {outcome.not_current_reason}. {still}."


def model_metadata(
    outcome: Outcome, version: str, serving: str | None
) -> dict[str, dg.MetadataValue]:
    served = outcome.served
    meta: dict[str, dg.MetadataValue] = {
        "version": dg.MetadataValue.text(version),
        "is_current": dg.MetadataValue.bool(outcome.current),
        "serving_version": dg.MetadataValue.text(serving or "none (PAGASA rules alone)"),
        "why": dg.MetadataValue.text(_why(outcome, version, serving)),
        "not_current_reason": dg.MetadataValue.text(outcome.not_current_reason or "-"),
        "serving": dg.MetadataValue.text(SERVING_TEXT),
        "evaluation_scheme": dg.MetadataValue.text(outcome.scheme),
        "folds": dg.MetadataValue.text(outcome.folds or "-"),
        "test_positive_days": dg.MetadataValue.int(outcome.metrics.get("positive_days", 0)),
        "metrics": dg.MetadataValue.md(
            table(outcome.metrics)
            if outcome.metrics
            else f"No out-of-time evaluation: {outcome.not_current_reason}."
        ),
        "features": dg.MetadataValue.text(", ".join(served.features) if served else "-"),
    }
    if served is not None:
        header = ["features", "C", "inner city-day AP", "inner location-day AP"]
        choices = [[c["features"], c["C"], c["city_day_ap"], c["location_day_ap"]]
                   for c in served.inner["candidates"]]  # fmt: skip
        meta["choices"] = dg.MetadataValue.md(markdown_table(header, choices, width=500))
        meta["thresholds"] = dg.MetadataValue.json(served.thresholds)
    test = outcome.test
    if outcome.metrics.get("city_day", {}).get("model", {}).get("ap") is not None:
        y, scores = city_scores(test)
        meta["pr_curve"] = dg.MetadataValue.md(
            pr_curve_md(
                y, {NAMES[k]: v for k, v in scores.items()}, "Test city-days: precision-recall"
            )
        )
        probabilities = {"model": test["model"], "PAGASA rule": test["rule_p"],
                         "2-day rain": test["rain_2d_p"]}  # fmt: skip
        meta["reliability"] = dg.MetadataValue.md(reliability_md(
            test["label"].to_numpy(int), {k: v.to_numpy() for k, v in probabilities.items()},
            "Test location-days: reliability"))  # fmt: skip
        for scorer in ev.SCORERS:
            ap = outcome.metrics["city_day"][scorer]["ap"]
            meta[f"city_day_ap_{scorer}"] = dg.MetadataValue.float(ap)
    return meta
