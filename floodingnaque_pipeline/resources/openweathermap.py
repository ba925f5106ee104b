"""OpenWeatherMapResource: the optional second source; absent key means "skip", not "fail"."""

import os

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.sources.http_client import ApiClient

DEFAULT_OWM_URL = "https://api.openweathermap.org/data/2.5/weather"


class OpenWeatherMapResource(dg.ConfigurableResource):
    api_key: str | None = Field(default=None, description="OPENWEATHERMAP_API_KEY (secret).")
    url: str = DEFAULT_OWM_URL
    max_attempts: int = 4
    backoff_base_s: float = 2.0

    @property
    def enabled(self) -> bool:
        return bool(self.api_key)

    def new_client(self) -> ApiClient:
        return ApiClient(max_attempts=self.max_attempts, base_delay=self.backoff_base_s)


def openweathermap_from_env() -> OpenWeatherMapResource:
    if os.environ.get("OPENWEATHERMAP_API_KEY"):
        return OpenWeatherMapResource(api_key=dg.EnvVar("OPENWEATHERMAP_API_KEY"))
    return OpenWeatherMapResource()
