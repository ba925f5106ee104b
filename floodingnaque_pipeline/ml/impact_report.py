"""The impact model's evaluation as Markdown: one column per scorer, both levels, intervals."""

from __future__ import annotations

from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.ml.impact_eval import BARANGAY_FACTOR, LEVELS, NAMES, SCORERS


def _with_ci(value: float | None, ci: list | None) -> str:
    if value is None:
        return "–"
    low, high = ci or (None, None)
    return f"{value:.3f} [{low}, {high}]" if low is not None else f"{value:.3f}"


def impact_table(metrics: dict, title: str = "") -> str:
    """metrics: impact_eval.compare_impact output."""
    rows = []
    for level in LEVELS:
        part, name = metrics[level], level.replace("_", "-")
        rows.append([f"{name} AP [95 % week bootstrap]",
                     *(_with_ci(part[s]["ap"], part[s]["ap_ci"]) for s in SCORERS)])  # fmt: skip
        auc = (_with_ci(part[s]["roc_auc"], part[s]["roc_auc_ci"]) for s in SCORERS)
        rows.append([f"{name} ROC-AUC [95 %]", *auc])
        alerts = metrics["false_alerts_at_rule_recall"][level]
        label = f"{name} false alerts at the rule's recall ({alerts['rule_recall']:.2f})"
        rows.append([label, *(alerts[s] for s in SCORERS)])
    city, barangay = metrics["city_day"], metrics["barangay_day"]
    note = (
        f"{metrics['test_days']} test days, {metrics['positive_days']} with a flood. City-day: "
        f"model - best baseline ({NAMES[city['best_baseline']]}) AP, paired 95 % interval "
        f"{city['model_minus_best_ap_ci']}. Barangay-day: model AP must reach "
        f"{BARANGAY_FACTOR:g} x {NAMES[barangay['best_baseline']]}."
    )
    header = ["metric", *(NAMES[s] for s in SCORERS)]
    head = f"**{title}**\n\n" if title else ""
    return f"{head}{markdown_table(header, rows, width=200)}\n\n{note}"
