"""A send is recorded before it is made (`outbound_messages.attempted_at`, with status
SENDING), so a retry after a crash can tell; a "paid" Stripe event names the Checkout Session
it pays for (`provider_events.paid_session`), so a second one for it is known as a repeat.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "outbound_messages", sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("provider_events", sa.Column("paid_session", sa.String(255), nullable=True))
    op.create_index("ix_provider_events_paid_session", "provider_events", ["paid_session"])


def downgrade() -> None:
    op.drop_index("ix_provider_events_paid_session", table_name="provider_events")
    op.drop_column("provider_events", "paid_session")
    op.drop_column("outbound_messages", "attempted_at")
