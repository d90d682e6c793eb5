"""Campaigns: marketing consent and its evidence, segments, campaigns, frozen audiences.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

NOW = sa.text("now()")
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "marketing_consents",
        sa.Column("contact_key", sa.String(64), primary_key=True),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("changed_at", TZ, nullable=False),
        sa.Column("how", sa.Text, nullable=False),
    )
    op.create_table(
        "consent_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("contact_key", sa.String(64), nullable=False, index=True),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("how", sa.Text, nullable=False),
        sa.Column("wording", sa.Text, nullable=False),
        sa.Column("message_id", sa.String(256), unique=True),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("filters", JSONB, nullable=False),
        sa.Column("created_at", TZ, nullable=False, server_default=NOW),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("template", sa.Text, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("params", JSONB, nullable=False),
        sa.Column("segment_id", sa.BigInteger),
        sa.Column("filters", JSONB, nullable=False),
        sa.Column("scheduled_at", TZ),
        sa.Column("workflow_id", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False, server_default=NOW),
    )
    op.create_table(
        "campaign_recipients",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("contact_key", sa.String(64), primary_key=True, index=True),
        sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("reason", sa.Text),
        sa.Column("attempt", sa.Integer, nullable=False, server_default="1"),
        sa.Column("retry_at", TZ),
        sa.Column("outbound_id", sa.String(256)),
        sa.Column("sent_at", TZ),
        sa.Column("replied_at", TZ),
        sa.Column("opted_out_at", TZ),
    )
    op.create_index(
        "ix_campaign_recipients_due",
        "campaign_recipients",
        ["campaign_id", "contact_key"],
        postgresql_where=sa.text("state = 'pending'"),
    )


def downgrade() -> None:
    for table in ("campaign_recipients", "campaigns", "segments", "consent_events"):
        op.drop_table(table)
    op.drop_table("marketing_consents")
