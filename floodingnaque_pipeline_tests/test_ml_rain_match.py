"""Served (hourly) rain vs gauge rain: the comparison and the quantile map fitted before the
test years."""

from __future__ import annotations

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml.features import build_features
from floodingnaque_pipeline.ml.issue import issue_time
from floodingnaque_pipeline.ml.rain_match import agreement, fit_on_years_before
from floodingnaque_pipeline.ml.stations import Site

LOCATION = Site("1", 14.5208, 120.9905)
NAIA = Site("naia", 14.5047, 121.004751)


def _inputs(years: list[int], served_share: dict[int, float]) -> tuple[pd.DataFrame, ...]:
    """Gauge rows from true hourly rain; the served hours see `served_share` of it per year
    (ERA5 misses local peaks), so the map has something to correct."""
    rng = np.random.default_rng(0)
    ends = pd.date_range(f"{years[0]}-01-01T01:00Z", f"{years[-1] + 1}-01-01T00:00Z", freq="h")
    wet_day = rng.random(len(ends) // 24 + 1) < 0.3
    truth = rng.gamma(0.5, 6.0, len(ends)) * wet_day[np.arange(len(ends)) // 24]
    share = np.array([served_share.get(y, 1.0) for y in ends.year])
    hourly = pd.DataFrame({"location_id": 1, "observed_at": ends, "source": "open_meteo_era5",
                           "precipitation_mm": truth * share, "temperature_c": 28.0,
                           "relative_humidity_pct": 80.0})  # fmt: skip
    days = pd.date_range(f"{years[0]}-01-02", f"{years[-1]}-12-30").date
    gauge = []
    for day in days:
        inside = (ends > issue_time(day)) & (ends <= issue_time(day) + pd.Timedelta(days=1))
        gauge.append(("naia", day, float(truth[inside].sum()), 31.0, 25.0, 80.0))
    columns = ["station", "observed_on", "rainfall_mm", "tmax_c", "tmin_c", "relative_humidity_pct"]
    return hourly, pd.DataFrame(gauge, columns=columns)


def test_the_map_corrects_served_rain_and_ignores_the_test_year() -> None:
    hourly, gauge = _inputs([2021, 2022], {2021: 0.5, 2022: 5.0})
    mapping, summary = fit_on_years_before(hourly, gauge, [LOCATION], [NAIA], 2022)
    assert mapping is not None
    assert summary["fitted_on_pairs"] < summary["paired_days"]  # 2022 left out of the fit
    # Fitted on 2021, where served rain is half the gauge's: the map about doubles it.
    assert np.allclose(mapping.apply(np.array([10.0, 40.0])), [20.0, 80.0], rtol=0.25)
    assert (
        mapping.apply(np.array([1000.0]))[0] > 1500.0
    )  # storms beyond the top: scaled, not capped
    # Had 2022 (served = 5x gauge) been in the fit, the map would shrink rain instead.
    everything, _ = fit_on_years_before(hourly, gauge, [LOCATION], [NAIA], None)
    assert everything.apply(np.array([40.0]))[0] < mapping.apply(np.array([40.0]))[0]


def test_agreement_reports_the_bias_and_build_features_maps_only_hourly_rain() -> None:
    hourly, gauge = _inputs([2021], {2021: 0.5})
    mapping, summary = fit_on_years_before(hourly, gauge, [LOCATION], [NAIA], None)
    assert summary["served"]["mean_mm"] < 0.6 * summary["gauge"]["mean_mm"]
    assert abs(summary["mapped"]["mean_mm"] - summary["gauge"]["mean_mm"]) < (
        0.15 * summary["gauge"]["mean_mm"]
    )
    no_pairs = pd.DataFrame(columns=["gauge_mm", "served_mm"])
    assert agreement(no_pairs) == {"paired_days": 0}
    raw = build_features(hourly, gauge.iloc[:0], [LOCATION], [NAIA])
    mapped = build_features(hourly, gauge.iloc[:0], [LOCATION], [NAIA], mapping)
    wet = raw["rain_1d_mm"] > 5
    assert (mapped.loc[wet, "rain_1d_mm"] > 1.5 * raw.loc[wet, "rain_1d_mm"]).mean() > 0.8
    with_gauge = build_features(hourly, gauge, [LOCATION], [NAIA], mapping)
    gauge_days = with_gauge["rain_source"] == "station:naia"
    plain = build_features(hourly, gauge, [LOCATION], [NAIA])
    assert gauge_days.any()
    assert np.allclose(
        with_gauge.loc[gauge_days, "rain_1d_mm"], plain.loc[gauge_days, "rain_1d_mm"]
    )
