"""Alert sensor (locations entering Alert/Critical) and run-failure sensor -> the webhook."""

import dagster as dg

from floodingnaque_pipeline.db.predictions import latest_states
from floodingnaque_pipeline.ml.alerts import AlertCursor, WebhookError, alert_payload, transitions
from floodingnaque_pipeline.ml.risk import LEVEL_NAMES
from floodingnaque_pipeline.resources.alerts import AlertWebhookResource
from floodingnaque_pipeline.resources.database import DatabaseResource

FLOOD_RISK = dg.AssetKey("flood_risk")


@dg.sensor(
    name="flood_alert_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "After each flood_risk materialization: POST one JSON alert per location that enters "
        "Alert or Critical (vs the level last seen) to FLOODINGNAQUE_ALERT_WEBHOOK_URL (log "
        "only when unset). The cursor only moves past delivered alerts: a failed POST is "
        "retried next tick, a repeated level is never re-sent."
    ),
)
def flood_alert_sensor(
    context: dg.SensorEvaluationContext,
    database: DatabaseResource,
    alert_webhook: AlertWebhookResource,
) -> dg.SkipReason | None:
    cursor = AlertCursor.parse(context.cursor)
    records = context.instance.fetch_materializations(FLOOD_RISK, limit=1).records
    event = records[0] if records else None
    if event is None or event.storage_id == cursor.materialization_id:
        return dg.SkipReason("no new flood_risk materialization")
    with database.session() as session:
        states = latest_states(session)
    client = alert_webhook.client()
    entering = {s.location_id for s in transitions(states, cursor)}
    failed = 0
    for state in states:
        key = str(state.location_id)
        if state.location_id in entering:
            try:
                delivered = client.post(alert_payload(state))
            except WebhookError as error:
                failed += 1
                context.log.warning(
                    f"{state.slug}: alert not delivered, retried next tick: {error}"
                )
                continue  # level not advanced: this transition is still pending
            verb = "sent" if delivered else "logged (no webhook URL)"
            context.log.info(f"{state.slug} entered {LEVEL_NAMES[state.level]}: alert {verb}")
        cursor.levels[key] = state.level  # repeats and downgrades just move the state on
    if not failed:
        cursor.materialization_id = event.storage_id
    context.update_cursor(cursor.dumps())
    return None


@dg.run_failure_sensor(
    name="run_failure_alert_sensor",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="POSTs every failed run (job, run id, error) to the alert webhook.",
)
def run_failure_alert_sensor(
    context: dg.RunFailureSensorContext, alert_webhook: AlertWebhookResource
) -> None:
    run = context.dagster_run
    payload = {
        "kind": "run_failure",
        "job": run.job_name,
        "run_id": run.run_id,
        "error": context.failure_event.message,
    }
    # Raising makes Dagster re-evaluate this run on the next tick (at least once).
    alert_webhook.client().post(payload)
    context.log.info(f"run failure of {run.job_name} ({run.run_id}) reported")
