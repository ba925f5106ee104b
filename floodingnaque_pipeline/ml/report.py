"""Out-of-time comparison of the model with its two baselines, and the promotion verdict.

Labels are essentially "a flood somewhere in the city on day D", so every scorer is also read
per city-day: the day's label is 1 when any location flooded and its score is the highest
location's. False alerts are counted in days. The three scorers share the same test days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.ml import evaluate as ev

NAMES = {"model": "model", "rule": "PAGASA rule", "rain_2d": "2-day rain"}


def compare(test: pd.DataFrame) -> dict:
    """test: location-days with label, model, rule, rain_2d and the model's Alert threshold."""
    test = test.assign(model_alert=(test["model"] >= test["alert"]).astype(float))
    city = ev.city_days(test, [*ev.SCORERS, "model_alert"])
    y_loc, y_city = test["label"].to_numpy(int), city["label"].to_numpy(int)
    months = ev.months_of(test["day"])
    rule_city = ev.at_threshold(y_city, city["rule"].to_numpy(), 1.0, months)
    at_rule = {"recall": rule_city["recall"]}
    for scorer in ev.SCORERS:  # every scorer at the recall the rule reached, in days
        score = city[scorer].to_numpy()
        threshold = ev.threshold_for_recall(y_city, score, rule_city["recall"])
        at_rule[scorer] = ev.at_threshold(y_city, score, threshold, months)
    return {
        "test_days": int(len(city)),
        "positive_days": int(y_city.sum()),
        "test_months": round(months, 2),
        "location_day": {s: ev.ranking(y_loc, test[s].to_numpy()) for s in ev.SCORERS},
        "city_day": {s: ev.ranking(y_city, city[s].to_numpy()) for s in ev.SCORERS},
        "rule_fires": {
            "city_day": rule_city,
            "location_day": ev.at_threshold(y_loc, test["rule"].to_numpy(), 1.0, months),
        },
        "model_alert": {
            "city_day": ev.at_threshold(y_city, city["model_alert"].to_numpy(), 1.0, months),
            "location_day": ev.at_threshold(y_loc, test["model_alert"].to_numpy(), 1.0, months),
        },
        "at_rule_recall": at_rule,
    }


def verdict(metrics: dict) -> str | None:
    """None when the model may become current: it beats BOTH baselines on city-day AP and does
    not lose to either on location-day AP. Otherwise the reason, naming every failure."""
    city, location = metrics["city_day"], metrics["location_day"]
    if city["model"]["ap"] is None:
        return "test days hold no flood (or only floods): AP undefined"
    failures = []
    for baseline in ("rule", "rain_2d"):
        model_ap, base_ap = city["model"]["ap"], city[baseline]["ap"]
        if not model_ap > base_ap:
            failures.append(f"city-day AP {model_ap:.3f} <= {NAMES[baseline]} {base_ap:.3f}")
        model_ap, base_ap = location["model"]["ap"], location[baseline]["ap"]
        if model_ap < base_ap:
            failures.append(f"location-day AP {model_ap:.3f} < {NAMES[baseline]} {base_ap:.3f}")
    if failures:
        return "does not beat the baselines: " + "; ".join(failures)
    return None


def table(metrics: dict) -> str:
    """Markdown: one column per scorer, same test days."""
    city, location = metrics["city_day"], metrics["location_day"]
    at_rule, fires, alert = metrics["at_rule_recall"], metrics["rule_fires"], metrics["model_alert"]
    rows: list[list[str]] = []

    def line(name: str, values: list) -> None:
        cells = ["–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)
                 for v in values]  # fmt: skip
        rows.append([name, *cells])

    line("city-day AP", [city[s]["ap"] for s in ev.SCORERS])
    line("city-day ROC-AUC", [city[s]["roc_auc"] for s in ev.SCORERS])
    line("location-day AP", [location[s]["ap"] for s in ev.SCORERS])
    line("location-day ROC-AUC", [location[s]["roc_auc"] for s in ev.SCORERS])
    line(f"false-alert days at the rule's recall ({at_rule['recall']:.2f})",
         [at_rule[s]["false_alerts"] for s in ev.SCORERS])  # fmt: skip
    own = [f"{m['city_day']['recall']:.2f} / {m['city_day']['false_alerts']}"
           for m in (alert, fires)]  # fmt: skip
    line("city-day recall / false-alert days at its own alert level", [*own, None])
    note = (
        f"{metrics['test_days']} test days, {metrics['positive_days']} with a flood; the "
        "model's alert level is its Alert threshold (chosen on training years), the rule's is "
        "'fires' (ratio >= 1); 2-day rain has no alert level of its own."
    )
    header = ["metric", *(NAMES[s] for s in ev.SCORERS)]
    return f"{markdown_table(header, rows, width=200)}\n\n{note}"


def city_scores(test: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    city = ev.city_days(test, list(ev.SCORERS))
    return city["label"].to_numpy(int), {s: city[s].to_numpy(float) for s in ev.SCORERS}
