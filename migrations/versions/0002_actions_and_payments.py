"""Artist action tokens, Stripe event dedupe and sandbox checkout sessions.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NOW = sa.text("now()")


def upgrade() -> None:
    # One-tap links for the artist: only a hash of the token is stored; `used_at` is claimed
    # atomically so two clicks at once cannot both act.
    op.create_table(
        "action_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("lead_id", sa.String(64), nullable=False, index=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("issued_status", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    # Stripe redelivers and reorders events: one row per event id.
    op.create_table(
        "provider_events",
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("lead_id", sa.String(64), index=True),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("signalled_at", sa.DateTime(timezone=True)),
    )
    # The demo's sandbox payments (no Stripe account needed).
    op.create_table(
        "checkout_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("lead_id", sa.String(64), nullable=False, index=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("amount_pence", sa.Integer, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False, server_default="gbp"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    for table in ("checkout_sessions", "provider_events", "action_tokens"):
        op.drop_table(table)
