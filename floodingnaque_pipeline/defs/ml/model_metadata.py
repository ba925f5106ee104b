"""flood_model metadata: metrics side by side with the PAGASA rule, plots, importances."""

import dagster as dg

from floodingnaque_pipeline.ml.plots import pr_curve_md, reliability_md
from floodingnaque_pipeline.ml.train import Outcome


def _fmt(value: object) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def metrics_table(outcome: Outcome) -> str:
    m, b = outcome.metrics, outcome.baseline_metrics
    if not m:
        return f"No out-of-time evaluation: {outcome.not_current_reason}."
    rule, alert, critical = b["rule"], m["alert"], m["critical"]
    rows = [
        ("ROC-AUC", m["roc_auc"], b["roc_auc"]),
        ("PR-AUC", m["pr_auc"], b["pr_auc"]),
        (f"recall (model: Alert p>={alert['threshold']:.3f}; rule fires)", alert["recall"],
         rule["recall"]),
        ("false alerts per month (location-days)", alert["false_alerts_per_month"],
         rule["false_alerts_per_month"]),
        (f"recall (model: Critical p>={critical['threshold']:.3f})", critical["recall"], None),
        ("false alerts per month at Critical", critical["false_alerts_per_month"], None),
        ("test location-days / positive days", f"{m['test_rows']} / {m['positive_days']}",
         f"{b['test_rows']} / {b['positive_days']}"),
    ]  # fmt: skip
    lines = ["| metric | model | PAGASA rule |", "|---|---|---|"]
    lines += [f"| {name} | {_fmt(a)} | {_fmt(c)} |" for name, a, c in rows]
    return "\n".join(lines)


def model_metadata(outcome: Outcome, version: str, current: bool) -> dict[str, dg.MetadataValue]:
    meta: dict[str, dg.MetadataValue] = {
        "version": dg.MetadataValue.text(version),
        "is_current": dg.MetadataValue.bool(current),
        "not_current_reason": dg.MetadataValue.text(outcome.not_current_reason or "-"),
        "evaluation_scheme": dg.MetadataValue.text(outcome.scheme),
        "folds": dg.MetadataValue.text(outcome.folds or "-"),
        "test_positive_days": dg.MetadataValue.int(outcome.metrics.get("positive_days", 0)),
        "metrics": dg.MetadataValue.md(metrics_table(outcome)),
        "features": dg.MetadataValue.text(", ".join(outcome.features)),
        "feature_importances": dg.MetadataValue.md(
            "\n".join(
                ["| feature | mean abs. standardised coefficient |", "|---|---|"]
                + [f"| {k} | {v:.3f} |" for k, v in outcome.importances.items()]
            )  # fmt: skip
        ),
    }
    if outcome.metrics.get("pr_auc") is not None and outcome.test is not None:
        y = outcome.test["label"].to_numpy(int)
        meta["pr_curve"] = dg.MetadataValue.md(
            pr_curve_md(y, outcome.test["p"].to_numpy(), outcome.test["baseline"].to_numpy())
        )
        meta["reliability"] = dg.MetadataValue.md(reliability_md(y, outcome.test["p"].to_numpy()))
    for key in ("pr_auc", "roc_auc"):
        if outcome.metrics.get(key) is not None:
            meta[f"model_{key}"] = dg.MetadataValue.float(outcome.metrics[key])
            meta[f"baseline_{key}"] = dg.MetadataValue.float(outcome.baseline_metrics[key])
    return meta
