"""OpenMeteoResource: endpoints, API key, timeouts, retries, the call budget and the step budget,
one HTTP session per run.

Secrets never reach Dagster's config: the key comes as dg.EnvVar("OPEN_METEO_API_KEY"), and a
configured URL that carries a key in its query string is held as dg.EnvVar too, so the UI, run
config and job snapshots show the variable's name, not its value.
"""

import itertools
import os
import time

import dagster as dg
from dagster._utils.schedules import cron_string_iterator  # no public equivalent in 1.13
from pydantic import Field, PrivateAttr

from floodingnaque_pipeline.sources.http_client import ApiClient, CallBudget, StepBudget
from floodingnaque_pipeline.sources.masking import masked_url, secret_query
from floodingnaque_pipeline.sources.open_meteo_plan import ERA5

DEFAULT_FORECAST_URL = "https://api.open-meteo.com/v1/forecast"
DEFAULT_ARCHIVE_URL = "https://archive-api.open-meteo.com/v1/archive"
DEFAULT_ENSEMBLE_URL = "https://ensemble-api.open-meteo.com/v1/ensemble"
DEFAULT_PREVIOUS_RUNS_URL = "https://previous-runs-api.open-meteo.com/v1/forecast"
URL_VARIABLES = {
    "forecast_url": "OPEN_METEO_FORECAST_URL",
    "archive_url": "OPEN_METEO_ARCHIVE_URL",
    "ensemble_url": "OPEN_METEO_ENSEMBLE_URL",
    "previous_runs_url": "OPEN_METEO_PREVIOUS_RUNS_URL",
}


class OpenMeteoResource(dg.ConfigurableResource):
    forecast_url: str = Field(default=DEFAULT_FORECAST_URL, description="OPEN_METEO_FORECAST_URL")
    archive_url: str = Field(default=DEFAULT_ARCHIVE_URL, description="OPEN_METEO_ARCHIVE_URL")
    ensemble_url: str = Field(default=DEFAULT_ENSEMBLE_URL, description="OPEN_METEO_ENSEMBLE_URL")
    ensemble_model: str = Field(
        default="icon_seamless", description="Ensemble model (`models=`), e.g. gfs_seamless."
    )
    previous_runs_url: str = Field(
        default=DEFAULT_PREVIOUS_RUNS_URL, description="OPEN_METEO_PREVIOUS_RUNS_URL"
    )
    api_key: str | None = Field(
        default=None, description="OPEN_METEO_API_KEY (paid plans), sent as apikey=; masked."
    )
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
    step_budget_fraction: float = Field(
        default=0.5,
        description="HTTP time budget of a step of the month in progress, as a fraction of the "
        "shortest interval of the ingestion schedule: it fails before the next tick.",
    )
    step_budget_s: float | None = Field(
        default=None, description="Fixed budget for those steps instead of the fraction."
    )
    backfill_budget_s: float = Field(
        default=4 * 3600.0, description="HTTP time budget of a step of settled months only."
    )

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

    def endpoint_for(self, source: str) -> str:
        """The URL as stored and shown: secret query values masked."""
        return masked_url(self.url_for(source), {})

    def step_budget(self, *, in_progress: bool, cron: str, timezone: str) -> StepBudget:
        """The budget of one step: settled months get `backfill_budget_s`; the month in
        progress (the scheduled run) must finish before the schedule's next tick."""
        if not in_progress:
            return StepBudget(self.backfill_budget_s, "backfill_budget_s, settled months")
        if self.step_budget_s is not None:
            return StepBudget(self.step_budget_s, "step_budget_s")
        interval = shortest_interval_s(cron, timezone)
        return StepBudget(
            interval * self.step_budget_fraction,
            f"{self.step_budget_fraction:.3g} of the {interval / 60:g}-min interval of "
            f"schedule {cron!r}",
        )

    def _new_client(self) -> ApiClient:
        return ApiClient(
            connect_timeout=self.connect_timeout_s,
            read_timeout=self.read_timeout_s,
            total_timeout=self.total_timeout_s,
            max_attempts=self.max_attempts,
            base_delay=self.backoff_base_s,
            budget=CallBudget(self.calls_per_minute),
            # A failed request names the variable to check or change.
            url_settings={getattr(self, field): var for field, var in URL_VARIABLES.items()},
            secret_params={"apikey": self.api_key} if self.api_key else None,
        )


def shortest_interval_s(cron: str, timezone: str, ticks: int = 200) -> float:
    """Shortest gap between consecutive ticks over the next `ticks` (irregular crons too)."""
    times = list(itertools.islice(cron_string_iterator(time.time(), cron, timezone), ticks))
    return min((b - a).total_seconds() for a, b in itertools.pairwise(times))


def open_meteo_from_env() -> OpenMeteoResource:
    settings: dict[str, object] = {}
    for field, variable in URL_VARIABLES.items():
        url = os.environ.get(variable)
        if url:  # a key inside the URL stays in the environment, out of the UI and snapshots
            settings[field] = dg.EnvVar(variable) if secret_query(url) else url
    if os.environ.get("OPEN_METEO_API_KEY"):
        settings["api_key"] = dg.EnvVar("OPEN_METEO_API_KEY")
    return OpenMeteoResource(**settings)
