"""What one OpenWeatherMap reading writes to two tables: its raw pull (raw_weather_pulls) and
its weather_data row, which names that pull. Pure: the asset stores them in this order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from floodingnaque_pipeline.domain.weather_rows import WeatherRow
from floodingnaque_pipeline.sources.masking import mask_params, masked_url
from floodingnaque_pipeline.sources.open_meteo import WeatherRecord

OWM_SOURCE = "openweathermap"


@dataclass(frozen=True)
class OwmPull:
    """store_pull's arguments for one reading (less fetch time, payload and run), and the row."""

    endpoint: str  # masked: a key in the URL stays out of the table
    masked_params: Mapping[str, object]
    location_ids: tuple[int, ...]
    window_start: datetime  # the reading's hour, both ends: it answers for that hour only
    window_end: datetime
    # The same URL returns a new reading every hour: the hour tells the pulls apart.
    key_extra: str
    record: WeatherRecord

    @property
    def source(self) -> str:
        return OWM_SOURCE

    def weather_row(self, raw_pull_id: int) -> WeatherRow:
        """The weather_data row, traceable to the stored pull."""
        r = self.record
        return WeatherRow(
            r.location_id,
            OWM_SOURCE,
            r.observed_at,
            r.temperature_c,
            r.relative_humidity_pct,
            r.precipitation_mm,
            r.pressure_hpa,
            r.wind_speed_kmh,
            raw_pull_id,
        )


def plan_owm_pull(record: WeatherRecord, url: str, params: Mapping[str, str]) -> OwmPull:
    return OwmPull(
        endpoint=masked_url(url, {}),
        masked_params=mask_params(params),
        location_ids=(record.location_id,),
        window_start=record.observed_at,
        window_end=record.observed_at,
        key_extra=record.observed_at.isoformat(),
        record=record,
    )
