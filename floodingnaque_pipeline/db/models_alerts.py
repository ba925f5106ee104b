"""The alert outbox: alerts written in the transaction that decides them, delivered later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from floodingnaque_pipeline.db.base import Base
from floodingnaque_pipeline.db.types import BigId, JSONDocument, UTCDateTime


class AlertOutbox(Base):
    """One alert to POST. `dedup_key` makes enqueueing idempotent (a re-run adds nothing);
    `delivered_at` stays NULL until the webhook accepted it; a sender claims a row (lease) before
    POSTing it."""

    __tablename__ = "alert_outbox"
    __table_args__ = (Index("ix_alert_outbox_delivered_at_next_attempt_at", "delivered_at",
                            "next_attempt_at"),)  # fmt: skip

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.current_timestamp()
    )
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.current_timestamp()
    )
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Claimed by one sender until `lease_expires_at`: no other sender POSTs the row meanwhile.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
