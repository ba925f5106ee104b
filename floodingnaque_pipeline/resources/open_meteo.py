"""OpenMeteoResource: endpoints, timeouts, retries and the call budget, one HTTP session per run."""

import os

import dagster as dg
from pydantic import Field, PrivateAttr

from floodingnaque_pipeline.sources.http_client import ApiClient, CallBudget
from floodingnaque_pipeline.sources.open_meteo_plan import ERA5

DEFAULT_FORECAST_URL = "https://api.open-meteo.com/v1/forecast"
DEFAULT_ARCHIVE_URL = "https://archive-api.open-meteo.com/v1/archive"


class OpenMeteoResource(dg.ConfigurableResource):
    forecast_url: str = Field(default=DEFAULT_FORECAST_URL, description="OPEN_METEO_FORECAST_URL")
    archive_url: str = Field(default=DEFAULT_ARCHIVE_URL, description="OPEN_METEO_ARCHIVE_URL")
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 120.0
    total_timeout_s: float = Field(
        default=300.0, description="Deadline per request, connect to last byte (slow trickles)."
    )
    max_attempts: int = Field(default=5, description="Tries per request (429/5xx/timeouts).")
    backoff_base_s: float = Field(default=2.0, description="First retry delay; doubles each try.")
    calls_per_minute: float = Field(
        default=500.0, description="Client-side budget (Open-Meteo's free tier allows 600/min)."
    )
    max_locations_per_request: int = 100
    chunk_days: int = Field(default=92, description="Days per request (>= 14 costs nothing more).")

    _client: ApiClient | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._client = self._new_client()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> ApiClient:
        """The run's client: one HTTP session and one call budget for the whole run."""
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def url_for(self, source: str) -> str:
        return self.archive_url if source == ERA5 else self.forecast_url

    def _new_client(self) -> ApiClient:
        return ApiClient(
            connect_timeout=self.connect_timeout_s,
            read_timeout=self.read_timeout_s,
            total_timeout=self.total_timeout_s,
            max_attempts=self.max_attempts,
            base_delay=self.backoff_base_s,
            budget=CallBudget(self.calls_per_minute),
            # A failed request names the variable to check or change.
            url_settings={
                self.forecast_url: "OPEN_METEO_FORECAST_URL",
                self.archive_url: "OPEN_METEO_ARCHIVE_URL",
            },
        )


def open_meteo_from_env() -> OpenMeteoResource:
    return OpenMeteoResource(
        forecast_url=os.environ.get("OPEN_METEO_FORECAST_URL") or DEFAULT_FORECAST_URL,
        archive_url=os.environ.get("OPEN_METEO_ARCHIVE_URL") or DEFAULT_ARCHIVE_URL,
    )
