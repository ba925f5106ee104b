"""The alert outbox sender, and the run-failure sensor that only enqueues into the outbox."""

import json

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


FAILURES_PER_TICK = 100


def _start_after(cursor: str | None) -> int:
    """The storage id of the last run failure queued. Also reads the cursor of the
    run_failure_sensor this replaced ({"record_id": N, ...}), so no failure is queued twice."""
    if not cursor:
        return 0  # from the first failure on this instance: the outbox keys drop repeats
    if cursor.lstrip("-").isdigit():
        return int(cursor)
    return int(json.loads(cursor).get("record_id", 0))


def _step_errors(instance: dg.DagsterInstance, run_id: str) -> list[dict[str, str]]:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    steps = []
    for record in records.records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        error = event.step_failure_data.error
        text = error.to_string() if error else event.message or ""
        steps.append({"step": event.step_key or "", "error": text[:ERROR_CHARS]})
    return steps


@dg.sensor(
    name="run_failure_alert_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Writes every failed run on this Dagster instance (job, run id, error), whoever "
        "launched it (UI, schedule, sensor, dg launch, CLI), to the alert outbox, once per "
        "run; alert_outbox_sensor delivers it. The cursor moves only after the insert commits."
    ),
)
def run_failure_alert_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult:
    # Not a run_failure_sensor: that one skips runs without this code location's origin (the
    # in-process runs of `dg launch` and the CLI) and moves past a run even when it raises.
    after = _start_after(context.cursor)
    records = context.instance.fetch_run_status_changes(
        dg.RunStatusChangeRecordsFilter(
            event_type=dg.DagsterEventType.RUN_FAILURE, after_storage_id=after
        ),
        limit=FAILURES_PER_TICK,
        ascending=True,
    ).records
    if not records:
        return dg.SensorResult(skip_reason=f"no failed run after event {after}")
    queued = []
    with database.session() as session:  # all or nothing: a failed insert moves no cursor
        for record in records:
            entry = record.event_log_entry
            payload = {
                "kind": "run_failure",
                "job": entry.job_name,
                "run_id": entry.run_id,
                "error": entry.dagster_event.message if entry.dagster_event else entry.message,
                # The run's message only names the steps; the receiver needs each step's error.
                "failed_steps": _step_errors(context.instance, entry.run_id),
            }
            if enqueue(session, "run_failure", f"run_failure:{entry.run_id}", payload):
                queued.append(f"{entry.job_name} ({entry.run_id})")
    for run in queued:
        context.log.info(f"run failure of {run} queued for the webhook")
    last = records[-1].storage_id
    return dg.SensorResult(
        cursor=str(last),
        skip_reason=f"{len(queued)} failed run(s) queued, {len(records) - len(queued)} "
        f"already queued; up to event {last}",
    )
