"""AlertWebhookResource: where alerts go (FLOODINGNAQUE_ALERT_WEBHOOK_URL; unset = log only)."""

import os

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.ml.alerts import WebhookClient


class AlertWebhookResource(dg.ConfigurableResource):
    url: str | None = Field(default=None, description="Webhook URL; unset: alerts are logged.")
    attempts: int = Field(default=3, description="POST attempts per alert (with backoff).")
    backoff_s: float = Field(default=1.0, description="First retry delay, doubled each time.")

    def client(self) -> WebhookClient:
        return WebhookClient(self.url, self.attempts, self.backoff_s)


def alert_webhook_from_env() -> AlertWebhookResource:
    # Through dg.EnvVar: the URL may carry a token and must not show in the UI's config.
    if os.environ.get("FLOODINGNAQUE_ALERT_WEBHOOK_URL"):
        return AlertWebhookResource(url=dg.EnvVar("FLOODINGNAQUE_ALERT_WEBHOOK_URL"))
    return AlertWebhookResource()
