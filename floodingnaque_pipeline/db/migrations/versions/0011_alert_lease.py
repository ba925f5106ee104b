"""alert_outbox lease: a sender claims a row (owner, expiry) before it POSTs it

Two overlapping sender ticks used to read the same due rows and both POST them. A sender now
claims each row first; another sender skips a row whose lease has not expired, and takes over
one whose sender crashed (its lease ran out).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMPTZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("alert_outbox") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", TIMESTAMPTZ, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_outbox") as batch:
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_owner")
