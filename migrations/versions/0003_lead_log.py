"""The Google Sheets lead log's index: which sheet row holds each lead.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NOW = sa.text("now()")


def upgrade() -> None:
    # Our own lead → row index, so an update never searches the sheet and a retried write never
    # appends a second row. `version` is the lead version the row holds: a late, older row is
    # never written over a newer one.
    op.create_table(
        "lead_log_rows",
        sa.Column("lead_id", sa.Text, primary_key=True),
        sa.Column("sheet_row", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )


def downgrade() -> None:
    op.drop_table("lead_log_rows")
