"""Contacts, lead read model, inbound dedupe, outbound log and system events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("wa_id", sa.String(32)),
        sa.Column("user_id", sa.String(128)),
        sa.Column("profile_name", sa.String(256), nullable=False, server_default=""),
        sa.Column("opted_out", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("opted_out_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True)),
    )
    # A contact is found by either identity (Meta may withhold the phone number).
    op.create_index("ux_contacts_wa_id", "contacts", ["wa_id"], unique=True)
    op.create_index("ux_contacts_user_id", "contacts", ["user_id"], unique=True)
    op.create_table(
        "leads",
        sa.Column("lead_id", sa.String(64), primary_key=True),
        sa.Column("contact_key", sa.String(64), nullable=False, index=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("step", sa.Integer, nullable=False, server_default="0"),
        sa.Column("answers", JSONB, nullable=False, server_default="{}"),
        sa.Column("parsed", JSONB, nullable=False, server_default="{}"),
        sa.Column("estimate", JSONB),
        sa.Column("handover_reason", sa.Text),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("message_id", sa.String(256), primary_key=True),
        sa.Column("contact_key", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("signalled_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.String(256), primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("contact_key", sa.String(64), index=True),
        sa.Column("recipient", sa.String(16), nullable=False),
        sa.Column("lead_id", sa.String(64), index=True),
        sa.Column("key", sa.String(64), nullable=False, server_default=""),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("message", JSONB, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("delivery", sa.String(16)),
        sa.Column("provider_message_id", sa.String(256), unique=True),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_table(
        "system_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("lead_id", sa.String(64)),
        sa.Column("detail", JSONB, nullable=False, server_default="{}"),
        sa.Column("source", sa.String(300), unique=True),
    )
    op.create_index("ix_system_events_created_at", "system_events", ["created_at"])
    op.create_index("ix_system_events_type", "system_events", ["type"])
    op.create_index("ix_system_events_lead_created", "system_events", ["lead_id", "created_at"])


def downgrade() -> None:
    for table in ("system_events", "outbound_messages", "inbound_messages", "leads", "contacts"):
        op.drop_table(table)
