"""The alert outbox sender, and the run-failure sensor that only enqueues into the outbox."""

import dagster as dg

from floodingnaque_pipeline.alerts.sender import send_due
from floodingnaque_pipeline.db.alert_outbox import ERROR_CHARS, enqueue
from floodingnaque_pipeline.resources.alerts import AlertWebhookResource
from floodingnaque_pipeline.resources.database import DatabaseResource


@dg.sensor(
    name="alert_outbox_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Delivers the alert outbox (flood_risk transitions, failed runs) to "
        "FLOODINGNAQUE_ALERT_WEBHOOK_URL, oldest first (log only when unset). A failed POST "
        "is retried on later ticks with backoff (30 s, 60 s, ... at most hourly); the tick "
        "text shows how many alerts are undelivered, the oldest one's age and the last error."
    ),
)
def alert_outbox_sensor(
    context: dg.SensorEvaluationContext,
    database: DatabaseResource,
    alert_webhook: AlertWebhookResource,
) -> dg.SkipReason:
    report = send_due(database.database, alert_webhook.client(),
                      first_retry_s=alert_webhook.retry_after_s)  # fmt: skip
    for key in report.delivered:
        context.log.info(f"alert {key} delivered")
    for key in report.logged_only:
        context.log.info(f"alert {key} logged (no webhook URL)")
    summary = report.describe()
    if report.failed or (report.pending and report.pending.count):
        context.log.warning(summary)
    return dg.SkipReason(summary)


def _step_error(event: dg.DagsterEvent) -> str:
    error = event.step_failure_data.error
    return (error.to_string() if error else event.message or "")[:ERROR_CHARS]


@dg.run_failure_sensor(
    name="run_failure_alert_sensor",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Writes every failed run (job, run id, error) to the alert outbox, once per run; "
        "alert_outbox_sensor delivers it."
    ),
)
def run_failure_alert_sensor(
    context: dg.RunFailureSensorContext, database: DatabaseResource
) -> None:
    run = context.dagster_run
    payload = {
        "kind": "run_failure",
        "job": run.job_name,
        "run_id": run.run_id,
        "error": context.failure_event.message,
        # The run's message only names the steps; the receiver needs each step's own error.
        "failed_steps": [
            {"step": event.step_key, "error": _step_error(event)}
            for event in context.get_step_failure_events()
        ],
    }
    # Dagster moves past the run even if this raises: only a database insert happens here,
    # the webhook (the part that is often down) is the sender's business.
    with database.session() as session:
        added = enqueue(session, "run_failure", f"run_failure:{run.run_id}", payload)
    verb = "queued for the webhook" if added else "already queued"
    context.log.info(f"run failure of {run.job_name} ({run.run_id}) {verb}")
