"""Reference images and documents clients send: one row per WhatsApp media id, tracking the
copy we keep in our own storage (Meta's copy expires).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NOW = sa.text("now()")


def upgrade() -> None:
    # `media_id` is unique: a redelivered webhook or a retried activity finds the same row, so
    # an image is downloaded and stored once. `attempts` and `last_error` are for the artist's
    # debugging view; Temporal owns the retry schedule.
    op.create_table(
        "attachments",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("lead_id", sa.Text, nullable=False, index=True),
        sa.Column("media_id", sa.Text, nullable=False, unique=True),
        sa.Column("kind", sa.Text),
        sa.Column("mime_type", sa.Text),
        sa.Column("sha256", sa.Text),
        sa.Column("size_bytes", sa.Integer),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("storage", sa.Text),
        sa.Column("object_key", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("stored_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('PENDING', 'STORED', 'FAILED')", name="attachments_status_known"
        ),
    )


def downgrade() -> None:
    op.drop_table("attachments")
