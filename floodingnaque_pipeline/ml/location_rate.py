"""A way for barangays to differ: each location's flood rate in the training years.

rate = (flood days + PRIOR_DAYS * city mean rate) / (labelled days + PRIOR_DAYS): shrunk toward
the city's mean so a barangay with one recorded flood is not singled out. Computed from
training rows only (inside every inner fold as well), stored with the model, added at serving.
"""

from __future__ import annotations

import pandas as pd

LOCATION_RATE = "location_flood_rate"
PRIOR_DAYS = 365.0


def flood_rates(rows: pd.DataFrame) -> dict[str, float]:
    mean = float(rows["label"].mean())
    grouped = rows.groupby("location_id")["label"].agg(["sum", "count"])
    rate = (grouped["sum"] + PRIOR_DAYS * mean) / (grouped["count"] + PRIOR_DAYS)
    return {str(k): round(float(v), 8) for k, v in rate.items()} | {"*": round(mean, 8)}


def add_location_rate(rows: pd.DataFrame, rates: dict[str, float]) -> pd.DataFrame:
    """Unknown locations get the city mean ('*')."""
    default = rates.get("*", 0.0)
    by_id = {int(k): v for k, v in rates.items() if k != "*"}  # JSON keys are strings
    values = rows["location_id"].map(by_id).fillna(default)
    return rows.assign(**{LOCATION_RATE: values.astype(float)})
