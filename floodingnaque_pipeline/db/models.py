"""Every table of the app database, importable from one place (Alembic reads Base.metadata)."""

from floodingnaque_pipeline.db.base import Base
from floodingnaque_pipeline.db.models_alerts import AlertOutbox
from floodingnaque_pipeline.db.models_features import FloodFeature
from floodingnaque_pipeline.db.models_forecasts import ForecastArchive, WeatherEnsemble
from floodingnaque_pipeline.db.models_labels import FloodEvent, IngestRejection, StationObservation
from floodingnaque_pipeline.db.models_ml import FloodPrediction, ModelVersion
from floodingnaque_pipeline.db.models_weather import (
    Location,
    RawWeatherPull,
    WeatherData,
    WeatherForecast,
)

__all__ = [
    "AlertOutbox",
    "Base",
    "FloodEvent",
    "FloodFeature",
    "FloodPrediction",
    "ForecastArchive",
    "IngestRejection",
    "Location",
    "ModelVersion",
    "RawWeatherPull",
    "StationObservation",
    "WeatherData",
    "WeatherEnsemble",
    "WeatherForecast",
]
