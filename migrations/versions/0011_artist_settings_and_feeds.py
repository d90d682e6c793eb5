"""The artist's settings as numbered versions (`artist_settings_versions`), the secret of their
calendar feed (`calendar_feeds`), how the last read of their Google Calendar went
(`calendar_reads`), and on each booking when it was booked and the token of its
"add to calendar" link (`calendar_holds.booked_at`, `.calendar_token`): a cancelled booking
stays in the feed as cancelled, where a hold that never was booked does not appear.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "artist_settings_versions",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("artist_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("settings", postgresql.JSONB(), nullable=False),
        sa.Column("saved_by", sa.Text(), nullable=False),
        sa.Column(
            "saved_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.UniqueConstraint("artist_id", "version", name="artist_settings_versions_numbered"),
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("artist_id", sa.Text(), primary_key=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column(
            "rotated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_table(
        "calendar_reads",
        sa.Column("artist_id", sa.Text(), primary_key=True),
        sa.Column("calendar_id", sa.Text(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("calendar_holds", sa.Column("booked_at", sa.DateTime(timezone=True)))
    op.add_column("calendar_holds", sa.Column("calendar_token", sa.Text()))
    op.create_index(
        "ix_calendar_holds_calendar_token",
        "calendar_holds",
        ["calendar_token"],
        postgresql_where=sa.text("calendar_token IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_calendar_holds_calendar_token", table_name="calendar_holds")
    op.drop_column("calendar_holds", "calendar_token")
    op.drop_column("calendar_holds", "booked_at")
    op.drop_table("calendar_reads")
    op.drop_table("calendar_feeds")
    op.drop_table("artist_settings_versions")
