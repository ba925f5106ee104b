"""A risk row's structured inputs in plain words, the same for bulletin, metadata and alert."""

from __future__ import annotations

from floodingnaque_pipeline.alerts.issue import BarangayRisk, FloodHistory

MEANINGS = {
    0: "Safe: no flooding expected from the rain observed and forecast. Keep watching the "
    "hourly issues.",
    1: "Alert: flooding is possible in this barangay. Warn residents of low-lying streets, "
    "check drainage and ready the evacuation centres.",
    2: "Critical: flooding is likely. Start pre-emptive evacuation of flood-prone streets and "
    "deploy rescue teams.",
}


def _mm(value: object) -> str:
    return f"{float(value):.0f} mm" if isinstance(value, int | float) else "? mm"


def plain_reasons(risk: BarangayRisk, history: FloodHistory) -> str:
    """'42 mm since 08:00, 38 mm more forecast by 08:00 tomorrow; floods recorded here on 9 of
    the 17 flood days of 2022–23; PAGASA Orange rule'."""
    why = risk.why or {}
    parts = []
    if "rain_so_far_mm" in why:
        rain = f"{_mm(why['rain_so_far_mm'])} since 08:00"
        if "forecast_rain_mm" in why:
            rain += f", {_mm(why['forecast_rain_mm'])} more forecast by 08:00 the next day"
        parts.append(rain)
    if history.city_days:
        here = history.per_location.get(risk.location_id, 0)
        parts.append(
            f"floods recorded here on {here} of the {history.city_days} flood days of "
            f"{history.years}"
        )
    rule = why.get("rule")
    if rule and rule not in ("none", "no data"):
        parts.append(f"PAGASA {rule} rule")
    if why.get("probability") is not None:
        parts.append(f"model probability {float(why['probability']):.0%}")
    return "; ".join(parts) or "; ".join(risk.reasons)
