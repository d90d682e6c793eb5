"""The sandbox checkout page says which session the deposit secures
(`checkout_sessions.description`), as Stripe's own page does from the line item.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "checkout_sessions",
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("checkout_sessions", "description")
