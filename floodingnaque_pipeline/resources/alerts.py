"""AlertWebhookResource: where alerts go (FLOODINGNAQUE_ALERT_WEBHOOK_URL; unset = log only)."""

import os

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.alerts.webhook import WebhookClient
from floodingnaque_pipeline.db.alert_outbox import FIRST_RETRY_S


class AlertWebhookResource(dg.ConfigurableResource):
    url: str | None = Field(default=None, description="Webhook URL; unset: alerts are logged.")
    attempts: int = Field(default=3, description="POST attempts per alert within one tick.")
    backoff_s: float = Field(default=1.0, description="First retry delay, doubled each time.")
    timeout_s: float = Field(
        default=30.0,
        description="Total deadline of one POST, from connect to the answer's headers; a "
        "trickling answer is cut there and retried.",
    )
    retry_after_s: float = Field(
        default=FIRST_RETRY_S,
        description="Delay before a failed alert is tried again on a later tick; doubled after "
        "each failure, at most an hour.",
    )

    def client(self) -> WebhookClient:
        return WebhookClient(self.url, self.attempts, self.backoff_s, self.timeout_s)


def alert_webhook_from_env() -> AlertWebhookResource:
    # Through dg.EnvVar: the URL may carry a token and must not show in the UI's config.
    if os.environ.get("FLOODINGNAQUE_ALERT_WEBHOOK_URL"):
        return AlertWebhookResource(url=dg.EnvVar("FLOODINGNAQUE_ALERT_WEBHOOK_URL"))
    return AlertWebhookResource()
