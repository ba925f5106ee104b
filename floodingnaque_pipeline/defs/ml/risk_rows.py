"""flood_risk's decisions -> flood_predictions rows, and the Markdown table of levels."""

from datetime import datetime

import pandas as pd

from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.ml.risk import LEVEL_NAMES, Decision
from floodingnaque_pipeline.ml.risk_days import RiskWindow
from floodingnaque_pipeline.ml.served import ServedModel


def risk_rows(
    decisions: dict[tuple, Decision],
    window: RiskWindow,
    current: ServedModel | None,
    forecast_issued: datetime | None,
    run_id: str,
) -> list[tuple]:
    """In db.predictions.COLUMNS order."""
    model_id = current.id if current else None
    issued = None if forecast_issued is None else pd.Timestamp(forecast_issued).to_pydatetime()
    inputs_issued = issued.isoformat() if issued else None
    return [
        (loc, day, window.issued_at, window.lead_days(day), d.probability, d.level, d.reasons,
         model_id, run_id, d.observed_share, issued,
         d.inputs | {"forecast_issued_at": inputs_issued}, d.inputs.get("p10"),
         d.inputs.get("p90"))
        for (loc, day), d in decisions.items()
    ]  # fmt: skip


def risk_table(decisions: dict[tuple, Decision], locations: pd.DataFrame, days) -> str:
    names = dict(zip(locations["id"], locations["name"], strict=True))
    rows = []
    for loc in locations["id"]:
        cells = []
        for day in days:
            d = decisions[(int(loc), day)]
            p = "" if d.probability is None else f" p={d.probability:.2f}"
            spread = f" [{d.inputs['p10']:.2f}-{d.inputs['p90']:.2f}]" if "p10" in d.inputs else ""
            cells.append(f"{LEVEL_NAMES[d.level]}{p}{spread}")
        rows.append([names[loc], *cells])
    return markdown_table(["location", *map(str, days)], rows)
