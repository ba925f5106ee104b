"""Drain the alert outbox: claim the oldest due alert, POST it, record the outcome; repeat.

Each alert is claimed (a lease with this pass as owner) and committed before its POST, so two
overlapping passes never send the same alert; a pass that crashes leaves a lease that expires,
and a later pass takes the alert over. Each delivery is committed right after its POST, so a
crash can at worst repeat the one alert in flight (the receiver drops it by its
Idempotency-Key). The first failure ends the pass: the webhook is probably down, and the alerts
behind it are not charged an attempt (they stay due, in order, for the next pass).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from floodingnaque_pipeline.alerts.webhook import WebhookClient, WebhookError
from floodingnaque_pipeline.db.alert_lease import claim_next, new_owner, release
from floodingnaque_pipeline.db.alert_outbox import (
    FIRST_RETRY_S,
    UndeliveredSummary,
    mark_delivered,
    mark_failed,
    undelivered_summary,
)
from floodingnaque_pipeline.db.session import AppDatabase

LEASE_MARGIN_S = 60.0  # beyond the client's longest possible POST: a live sender never loses it


@dataclass
class SendReport:
    now: datetime  # the pass's clock: due times and ages are measured against it
    delivered: list[str] = field(default_factory=list)  # dedup keys, in the order sent
    logged_only: list[str] = field(default_factory=list)  # no webhook URL configured
    failed: str | None = None  # "<dedup key>: <error>, next attempt at ..."
    pending: UndeliveredSummary | None = None

    def describe(self) -> str:
        pending = self.pending
        text = f"delivered {len(self.delivered)}, logged only {len(self.logged_only)}"
        if self.failed:
            text += f"; failed {self.failed}"
        if pending and pending.count:
            age_min = pending.oldest_age_s(self.now) / 60
            text += (
                f"; {pending.count} undelivered, oldest {age_min:.1f} min"
                f" (last error: {pending.last_error or 'none yet'})"
            )
        else:
            text += "; 0 undelivered"
        return text


def send_due(
    database: AppDatabase,
    client: WebhookClient,
    now: datetime | None = None,
    first_retry_s: float = FIRST_RETRY_S,
    limit: int = 50,
    owner: str | None = None,
) -> SendReport:
    moment = now if now is not None else datetime.now(UTC)
    report = SendReport(moment)
    owner = owner or new_owner()
    lease_s = client.longest_post_s() + LEASE_MARGIN_S
    for _ in range(limit):
        with database.session() as session:
            alert = claim_next(session, owner, lease_s, moment)
        if alert is None:
            break
        try:
            posted = client.post(alert.payload, idempotency_key=alert.dedup_key)
        except WebhookError as error:
            with database.session() as session:
                retry_at = mark_failed(session, alert.id, str(error), moment, first_retry_s)
            report.failed = f"{alert.dedup_key}: {error}, next attempt at {retry_at:%H:%M:%S} UTC"
            break
        except BaseException:
            with database.session() as session:  # not sent: free it for the next pass now
                release(session, alert.id, owner)
            raise
        with database.session() as session:
            mark_delivered(session, alert.id, moment)
        (report.delivered if posted else report.logged_only).append(alert.dedup_key)
    with database.session() as session:
        report.pending = undelivered_summary(session)
    return report
