"""OpenWeatherMap current-weather JSON (api.openweathermap.org/data/2.5/weather) from the model."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from floodingnaque_pipeline_tests.fakes import weather_model


def owm_current_weather(lat: float, lon: float, now: datetime, *, metric: bool) -> dict[str, Any]:
    """The body OWM returns: values of the model hour nearest `now`, `dt` = now (unix seconds)."""
    nearest = (now + timedelta(minutes=30)).replace(minute=0, second=0, microsecond=0)
    hours = np.array([np.datetime64(nearest.replace(tzinfo=None), "h")])
    data = {k: v[0].item() for k, v in weather_model.generate(lat, lon, hours).items()}
    temp_c = data["temperature_2m"]
    temp = temp_c if metric else temp_c + 273.15
    wind_ms = round(data["wind_speed_10m"] / 3.6, 2)
    body: dict[str, Any] = {
        "coord": {"lon": round(lon, 4), "lat": round(lat, 4)},
        "weather": [
            {"id": 500, "main": "Rain", "description": "light rain", "icon": "10d"}
            if data["precipitation"] > 0
            else {"id": 803, "main": "Clouds", "description": "broken clouds", "icon": "04d"}
        ],
        "base": "stations",
        "main": {
            "temp": round(temp, 2),
            "feels_like": round(temp + 2.0, 2),
            "temp_min": round(temp - 0.5, 2),
            "temp_max": round(temp + 0.5, 2),
            # OWM `pressure` is sea level; grnd_level is at the surface (what Open-Meteo calls
            # surface_pressure). Parañaque sits a few metres above the sea, so they barely differ.
            "pressure": round(data["surface_pressure"] + 0.6),
            "humidity": int(data["relative_humidity_2m"]),
            "sea_level": round(data["surface_pressure"] + 0.6),
            "grnd_level": round(data["surface_pressure"]),
        },
        "visibility": 10000,
        "wind": {"speed": wind_ms, "deg": 220},
        "clouds": {"all": 75},
        "dt": int(now.timestamp()),
        "sys": {"country": "PH", "sunrise": int(now.timestamp()) - 21600, "sunset": 0},
        "timezone": 28800,
        "id": 1694579,
        "name": "Parañaque",
        "cod": 200,
    }
    if data["precipitation"] > 0:  # OWM omits `rain` entirely on dry hours
        body["rain"] = {"1h": data["precipitation"]}
    return body
